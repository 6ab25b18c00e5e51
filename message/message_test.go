package message_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/storage"
)

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, storage.ErrInvalid)
	var fe *storage.FieldError
	require.True(t, errors.As(err, &fe), "want a *FieldError, got %T: %v", err, err)
	require.Equal(t, field, fe.Field, "field of %v", err)
}

func f64(v float64) *float64 { return &v }

// accented is n two-byte runes.
func accented(n int) string { return strings.Repeat("é", n) }

func params(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "p"
	}
	return out
}

func TestNewDefaults(t *testing.T) {
	t.Parallel()
	in := message.Message{
		ConversationID: "ignored",
		Content:        message.Content{Text: "hello"},
	}
	m, err := message.New(in, "m-1", t0)
	require.NoError(t, err)
	require.Equal(t, "m-1", m.ID)
	require.Equal(t, message.Outbound, m.Direction)
	require.Equal(t, message.Text, m.ContentType)
	require.Equal(t, t0, m.CreatedAt)
	require.Empty(t, m.ConversationID, "the conversation is set by AttachTo")
	require.Empty(t, m.Channel, "the channel comes from the conversation in AttachTo")

	m, err = message.New(message.Message{ID: "mine", Direction: message.Inbound, Content: message.Content{Text: "x"}}, "m-1", t0)
	require.NoError(t, err)
	require.Equal(t, "mine", m.ID)
	require.Equal(t, message.Inbound, m.Direction)
}

func TestNewDoesNotAlias(t *testing.T) {
	t.Parallel()
	in := message.Message{
		ContentType: message.Template,
		Content:     message.Content{TemplateName: "welcome", Language: "en", Parameters: []string{"a"}},
	}
	m, err := message.New(in, "m-1", t0)
	require.NoError(t, err)
	in.Content.Parameters[0] = "changed"
	require.Equal(t, "a", m.Content.Parameters[0])

	lat := 1.0
	loc, err := message.New(message.Message{ContentType: message.Location, Content: message.Content{Latitude: &lat, Longitude: f64(2)}}, "m-2", t0)
	require.NoError(t, err)
	lat = 50
	require.Equal(t, 1.0, *loc.Content.Latitude)
}

// TestEmailSender checks the sender fields: an EMAIL message may carry
// them, with any content type; any other message is refused, naming the
// field; each is at most 255 characters.
func TestEmailSender(t *testing.T) {
	t.Parallel()
	in := message.Message{Content: message.Content{Text: "hi", Sender: "a@example.com", SenderName: "A"}}
	m, err := message.New(in, "m-1", t0)
	require.NoError(t, err)
	require.NoError(t, m.AttachTo(&conversation.Conversation{ID: "c1", Channel: conversation.Email}))
	require.Equal(t, "a@example.com", m.Content.Sender)

	for _, tc := range []struct {
		content message.Content
		field   string
	}{
		{message.Content{Text: "hi", Sender: "a@example.com"}, "content.sender"},
		{message.Content{Text: "hi", SenderName: "A"}, "content.senderName"},
	} {
		m, err := message.New(message.Message{Content: tc.content}, "m-2", t0)
		require.NoError(t, err)
		err = m.AttachTo(&conversation.Conversation{ID: "c1", Channel: conversation.SMS})
		require.ErrorIs(t, err, storage.ErrInvalid)
		var fe *storage.FieldError
		require.ErrorAs(t, err, &fe)
		require.Equal(t, tc.field, fe.Field)
	}
	long := strings.Repeat("x", message.MaxEmailLen+1)
	for field, c := range map[string]message.Content{
		"content.sender":     {Text: "hi", Sender: long},
		"content.senderName": {Text: "hi", SenderName: long},
	} {
		_, err := message.New(message.Message{Channel: conversation.Email, Content: c}, "m-3", t0)
		var fe *storage.FieldError
		require.ErrorAs(t, err, &fe)
		require.Equal(t, field, fe.Field)
	}
}

func TestAttachTo(t *testing.T) {
	t.Parallel()
	for _, s := range conversation.Statuses {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			c := &conversation.Conversation{ID: "c1", Status: s, Channel: conversation.SMS}
			m, err := message.New(message.Message{Content: message.Content{Text: "hi"}}, "m-1", t0)
			require.NoError(t, err)
			err = m.AttachTo(c)
			if s == conversation.Closed {
				require.ErrorIs(t, err, storage.ErrClosed)
				require.Empty(t, m.ConversationID)
				return
			}
			require.NoError(t, err)
			require.Equal(t, "c1", m.ConversationID)
			require.Equal(t, conversation.SMS, m.Channel, "a message without a channel takes the conversation's")
		})
	}
	t.Run("own channel kept", func(t *testing.T) {
		t.Parallel()
		m, err := message.New(message.Message{Channel: conversation.Email, Content: message.Content{Text: "hi"}}, "m-1", t0)
		require.NoError(t, err)
		require.NoError(t, m.AttachTo(&conversation.Conversation{ID: "c1", Status: conversation.Open, Channel: conversation.SMS}))
		require.Equal(t, conversation.Email, m.Channel)
	})
}

func TestMessageFieldValidation(t *testing.T) {
	t.Parallel()
	text := message.Content{Text: "hi"}
	tests := []struct {
		name  string
		in    message.Message
		field string
	}{
		{"id of 255 runes", message.Message{ID: accented(255), Content: text}, ""},
		{"id of 256 runes", message.Message{ID: accented(256), Content: text}, "id"},
		{"id with NUL", message.Message{ID: "m\x00", Content: text}, "id"},
		{"id invalid UTF-8", message.Message{ID: "\xff", Content: text}, "id"},
		{"unknown direction", message.Message{Direction: "SIDEWAYS", Content: text}, "direction"},
		{"lower-case direction", message.Message{Direction: "inbound", Content: text}, "direction"},
		{"unknown channel", message.Message{Channel: "PIGEON", Content: text}, "channel"},
		{"known channel", message.Message{Channel: conversation.Telegram, Content: text}, ""},
		{"unknown content type", message.Message{ContentType: "GIF", Content: text}, "contentType"},
		{"from of 255 runes", message.Message{From: accented(255), Content: text}, ""},
		{"from of 256 runes", message.Message{From: accented(256), Content: text}, "from"},
		{"from with NUL", message.Message{From: "\x00", Content: text}, "from"},
		{"from invalid UTF-8", message.Message{From: "\xff", Content: text}, "from"},
		{"to of 255 runes", message.Message{To: accented(255), Content: text}, ""},
		{"to of 256 runes", message.Message{To: accented(256), Content: text}, "to"},
		{"to with NUL", message.Message{To: "a\x00", Content: text}, "to"},
		{"private outbound note", message.Message{Private: true, Content: text}, ""},
		{"private inbound", message.Message{Private: true, Direction: message.Inbound, Content: text}, "private"},
		{"agentId of 256 runes", message.Message{AgentID: accented(256), Content: text}, "agentId"},
		{"agentId with NUL", message.Message{AgentID: "a\x00", Content: text}, "agentId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := message.New(tt.in, "m-1", t0)
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			requireInvalid(t, err, tt.field)
			require.Nil(t, m)
		})
	}
}

func TestContentRules(t *testing.T) {
	t.Parallel()
	type row struct {
		name    string
		typ     message.ContentType
		content message.Content
		field   string // "" when valid
	}
	tests := []row{
		// TEXT
		{"text", message.Text, message.Content{Text: "hi"}, ""},
		{"text of 4096 runes", message.Text, message.Content{Text: accented(4096)}, ""},
		{"text of 4097 runes", message.Text, message.Content{Text: accented(4097)}, "content.text"},
		{"text missing", message.Text, message.Content{}, "content.text"},
		{"text invalid UTF-8", message.Text, message.Content{Text: "\xff"}, "content.text"},
		{"text with NUL", message.Text, message.Content{Text: "a\x00"}, "content.text"},
		{"text with url", message.Text, message.Content{Text: "hi", URL: "https://x"}, "content.url"},
		{"text with caption", message.Text, message.Content{Text: "hi", Caption: "c"}, "content.caption"},
		{"text with latitude", message.Text, message.Content{Text: "hi", Latitude: f64(1)}, "content.latitude"},
		{"text with parameters", message.Text, message.Content{Text: "hi", Parameters: []string{"p"}}, "content.parameters"},
		{"text with name", message.Text, message.Content{Text: "hi", Name: "n"}, "content.name"},
		// LOCATION
		{"location", message.Location, message.Content{Latitude: f64(45.8), Longitude: f64(15.9), Name: "HQ", Address: "Main St 1"}, ""},
		{"location at the limits", message.Location, message.Content{Latitude: f64(-90), Longitude: f64(180)}, ""},
		{"location at the other limits", message.Location, message.Content{Latitude: f64(90), Longitude: f64(-180)}, ""},
		{"location at zero", message.Location, message.Content{Latitude: f64(0), Longitude: f64(0)}, ""},
		{"latitude missing", message.Location, message.Content{Longitude: f64(1)}, "content.latitude"},
		{"longitude missing", message.Location, message.Content{Latitude: f64(1)}, "content.longitude"},
		{"latitude above 90", message.Location, message.Content{Latitude: f64(90.0001), Longitude: f64(0)}, "content.latitude"},
		{"latitude below -90", message.Location, message.Content{Latitude: f64(-90.5), Longitude: f64(0)}, "content.latitude"},
		{"longitude above 180", message.Location, message.Content{Latitude: f64(0), Longitude: f64(180.5)}, "content.longitude"},
		{"longitude below -180", message.Location, message.Content{Latitude: f64(0), Longitude: f64(-181)}, "content.longitude"},
		{"latitude NaN", message.Location, message.Content{Latitude: f64(math.NaN()), Longitude: f64(0)}, "content.latitude"},
		{"longitude NaN", message.Location, message.Content{Latitude: f64(0), Longitude: f64(math.NaN())}, "content.longitude"},
		{"latitude +Inf", message.Location, message.Content{Latitude: f64(math.Inf(1)), Longitude: f64(0)}, "content.latitude"},
		{"longitude -Inf", message.Location, message.Content{Latitude: f64(0), Longitude: f64(math.Inf(-1))}, "content.longitude"},
		{"location name of 255 runes", message.Location, message.Content{Latitude: f64(0), Longitude: f64(0), Name: accented(255)}, ""},
		{"location name of 256 runes", message.Location, message.Content{Latitude: f64(0), Longitude: f64(0), Name: accented(256)}, "content.name"},
		{"location address of 1000 runes", message.Location, message.Content{Latitude: f64(0), Longitude: f64(0), Address: accented(1000)}, ""},
		{"location address of 1001 runes", message.Location, message.Content{Latitude: f64(0), Longitude: f64(0), Address: accented(1001)}, "content.address"},
		{"location address with NUL", message.Location, message.Content{Latitude: f64(0), Longitude: f64(0), Address: "\x00"}, "content.address"},
		{"location with text", message.Location, message.Content{Latitude: f64(0), Longitude: f64(0), Text: "t"}, "content.text"},
		{"location with url", message.Location, message.Content{Latitude: f64(0), Longitude: f64(0), URL: "https://x"}, "content.url"},
		{"location with phone", message.Location, message.Content{Latitude: f64(0), Longitude: f64(0), Phone: "1"}, "content.phone"},
		// TEMPLATE
		{"template", message.Template, message.Content{TemplateName: "welcome", Language: "en", Parameters: []string{"Ann"}}, ""},
		{"template without parameters", message.Template, message.Content{TemplateName: "welcome", Language: "en"}, ""},
		{"template name missing", message.Template, message.Content{Language: "en"}, "content.templateName"},
		{"template name of 255 runes", message.Template, message.Content{TemplateName: accented(255), Language: "en"}, ""},
		{"template name of 256 runes", message.Template, message.Content{TemplateName: accented(256), Language: "en"}, "content.templateName"},
		{"template language missing", message.Template, message.Content{TemplateName: "w"}, "content.language"},
		{"template language of 35 runes", message.Template, message.Content{TemplateName: "w", Language: accented(35)}, ""},
		{"template language of 36 runes", message.Template, message.Content{TemplateName: "w", Language: accented(36)}, "content.language"},
		{"template with 100 parameters", message.Template, message.Content{TemplateName: "w", Language: "en", Parameters: params(100)}, ""},
		{"template with 101 parameters", message.Template, message.Content{TemplateName: "w", Language: "en", Parameters: params(101)}, "content.parameters"},
		{"template parameter of 1000 runes", message.Template, message.Content{TemplateName: "w", Language: "en", Parameters: []string{accented(1000)}}, ""},
		{"template parameter of 1001 runes", message.Template, message.Content{TemplateName: "w", Language: "en", Parameters: []string{accented(1001)}}, "content.parameters"},
		{"template parameter with NUL", message.Template, message.Content{TemplateName: "w", Language: "en", Parameters: []string{"\x00"}}, "content.parameters"},
		{"template with caption", message.Template, message.Content{TemplateName: "w", Language: "en", Caption: "c"}, "content.caption"},
		{"template with text", message.Template, message.Content{TemplateName: "w", Language: "en", Text: "t"}, "content.text"},
		// CONTACT
		{"contact", message.Contact, message.Content{Name: "Ann", Phone: "+385", Email: "ann@example.com"}, ""},
		{"contact with a name only", message.Contact, message.Content{Name: "Ann"}, ""},
		{"contact name missing", message.Contact, message.Content{Phone: "+385"}, "content.name"},
		{"contact name of 256 runes", message.Contact, message.Content{Name: accented(256)}, "content.name"},
		{"contact phone of 64 runes", message.Contact, message.Content{Name: "Ann", Phone: accented(64)}, ""},
		{"contact phone of 65 runes", message.Contact, message.Content{Name: "Ann", Phone: accented(65)}, "content.phone"},
		{"contact email of 255 runes", message.Contact, message.Content{Name: "Ann", Email: accented(255)}, ""},
		{"contact email of 256 runes", message.Contact, message.Content{Name: "Ann", Email: accented(256)}, "content.email"},
		{"contact with text", message.Contact, message.Content{Name: "Ann", Text: "t"}, "content.text"},
		{"contact with latitude", message.Contact, message.Content{Name: "Ann", Latitude: f64(1)}, "content.latitude"},
		{"contact with address", message.Contact, message.Content{Name: "Ann", Address: "a"}, "content.address"},
	}
	for _, media := range []message.ContentType{message.Image, message.Audio, message.Video, message.Document} {
		m := string(media) + " "
		tests = append(tests,
			row{m + "url", media, message.Content{URL: "https://example.com/a"}, ""},
			row{m + "url and caption", media, message.Content{URL: "https://example.com/a", Caption: "c"}, ""},
			row{m + "url missing", media, message.Content{Caption: "c"}, "content.url"},
			row{m + "url of 2048 runes", media, message.Content{URL: accented(2048)}, ""},
			row{m + "url of 2049 runes", media, message.Content{URL: accented(2049)}, "content.url"},
			row{m + "url with NUL", media, message.Content{URL: "https://x/\x00"}, "content.url"},
			row{m + "caption of 1000 runes", media, message.Content{URL: "u", Caption: accented(1000)}, ""},
			row{m + "caption of 1001 runes", media, message.Content{URL: "u", Caption: accented(1001)}, "content.caption"},
			row{m + "caption invalid UTF-8", media, message.Content{URL: "u", Caption: "\xff"}, "content.caption"},
			row{m + "with text", media, message.Content{URL: "u", Text: "t"}, "content.text"},
			row{m + "with name", media, message.Content{URL: "u", Name: "n"}, "content.name"},
			row{m + "with templateName", media, message.Content{URL: "u", TemplateName: "w"}, "content.templateName"},
			row{m + "with longitude", media, message.Content{URL: "u", Longitude: f64(1)}, "content.longitude"},
			row{m + "with email", media, message.Content{URL: "u", Email: "e"}, "content.email"},
			row{m + "with language", media, message.Content{URL: "u", Language: "en"}, "content.language"},
		)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.content.Validate(tt.typ)
			m, newErr := message.New(message.Message{ContentType: tt.typ, Content: tt.content}, "m-1", t0)
			if tt.field == "" {
				require.NoError(t, err)
				require.NoError(t, newErr)
				require.Equal(t, tt.typ, m.ContentType)
				return
			}
			requireInvalid(t, err, tt.field)
			requireInvalid(t, newErr, tt.field)
		})
	}
}

func TestContentValidateUnknownType(t *testing.T) {
	t.Parallel()
	requireInvalid(t, message.Content{Text: "x"}.Validate("GIF"), "contentType")
}

func TestContentTypesAreTheContractsList(t *testing.T) {
	t.Parallel()
	require.ElementsMatch(t,
		[]message.ContentType{"TEXT", "IMAGE", "LOCATION", "TEMPLATE", "AUDIO", "VIDEO", "DOCUMENT", "CONTACT"},
		message.ContentTypes)
}

func TestParseDirection(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]message.Direction{"INBOUND": message.Inbound, "OUTBOUND": message.Outbound} {
		got, err := message.ParseDirection(in)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	for _, in := range []string{"", "inbound", "Outbound", "BOTH"} {
		got, err := message.ParseDirection(in)
		requireInvalid(t, err, "direction")
		require.Empty(t, got)
	}
}

func TestParseContentType(t *testing.T) {
	t.Parallel()
	for _, ct := range message.ContentTypes {
		got, err := message.ParseContentType(string(ct))
		require.NoError(t, err)
		require.Equal(t, ct, got)
	}
	for _, in := range []string{"", "text", "GIF", "Image"} {
		got, err := message.ParseContentType(in)
		requireInvalid(t, err, "contentType")
		require.Empty(t, got)
	}
}

// TestContentErrorsNameOneField: with several fields a content type does
// not allow, the error names the same one every time (map order must not
// leak).
func TestContentErrorsNameOneField(t *testing.T) {
	t.Parallel()
	lon := 1.0
	c := message.Content{URL: "https://x", Longitude: &lon, Language: "de", Phone: "1", Email: "e", Name: "n", TemplateName: "t"}
	for range 50 {
		requireInvalid(t, c.Validate(message.Image), "content.longitude")
	}
}
