package message_test

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/message"
)

// FuzzNew builds messages from arbitrary input, of every content type.
// New never panics and leaves its input alone; what it refuses is an
// ErrInvalid *FieldError naming a field of the message (or of its
// content); what it accepts validates, keeps every given field, has the
// defaults applied, and its content survives a JSON round trip unchanged,
// as the SQL store keeps it.
func FuzzNew(f *testing.F) {
	f.Add("m1", "", "", "", "", "", "hello", "", "", false, 0.0, false, 0.0, "", "", "", "", "", "", "", "", false)
	f.Add("", "INBOUND", "SMS", "+385", "+1", "TEXT", "' OR '1'='1", "", "", false, 0.0, false, 0.0, "", "", "", "", "", "", "", "", false)
	f.Add("m2", "OUTBOUND", "", "", "", "LOCATION", "", "", "", true, 45.8, true, -180.0, "Zagreb", "Trg", "", "", "", "", "", "a1", true)
	f.Add("m3", "OUTBOUND", "", "", "", "LOCATION", "", "", "", true, math.NaN(), true, 1e308, "", "", "", "", "", "", "", "", false)
	f.Add("m4", "OUTBOUND", "", "", "", "TEMPLATE", "", "", "", false, 0.0, false, 0.0, "", "", "welcome", "en", "a,b,\x00", "", "", "", false)
	f.Add("m5", "OUTBOUND", "", "", "", "IMAGE", "", "https://x/y.png", "cap", false, 0.0, false, 0.0, "", "", "", "", "", "", "", "", false)
	f.Add("m6", "INBOUND", "WHATSAPP", "", "", "CONTACT", "", "", "", false, 0.0, false, 0.0, "Ann", "", "", "", "", "+1", "a@b", "", true)
	f.Add("m\x00", "SIDEWAYS", "PIGEON", "\xff", "", "GIF", "text", "url", "", false, 0.0, false, 0.0, "", "", "", "", "", "", "", "\n", false)
	f.Fuzz(func(t *testing.T, id, direction, channel, from, to, contentType, text, url, caption string,
		hasLat bool, lat float64, hasLon bool, lon float64, name, address, templateName, language, params,
		phone, email, agentID string, private bool,
	) {
		in := message.Message{
			ID: id, Direction: message.Direction(direction), Channel: conversation.Channel(channel),
			From: from, To: to, ContentType: message.ContentType(contentType), AgentID: agentID, Private: private,
			ConversationID: "ignored", CreatedAt: time.Unix(1, 0),
			Content: message.Content{
				Text: text, URL: url, Caption: caption, Name: name, Address: address,
				TemplateName: templateName, Language: language, Phone: phone, Email: email,
			},
		}
		if hasLat {
			in.Content.Latitude = &lat
		}
		if hasLon {
			in.Content.Longitude = &lon
		}
		if params != "" {
			in.Content.Parameters = strings.Split(params, ",")
		}
		given := in.Clone()
		now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

		m, err := message.New(in, "generated", now)
		if !sameMessage(given, in.Clone()) {
			t.Fatal("New changed its input")
		}
		if err != nil {
			var fe *fault.FieldError
			if !errors.Is(err, fault.ErrInvalid) || !errors.As(err, &fe) {
				t.Fatalf("want an ErrInvalid *FieldError, got %T: %v", err, err)
			}
			if !knownField(fe.Field) {
				t.Fatalf("the error names %q, no field of a message: %v", fe.Field, err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("New returned a message that does not validate: %v", err)
		}
		want := in.Clone()
		want.ConversationID, want.CreatedAt = "", now
		if want.ID == "" {
			want.ID = "generated"
		}
		if want.Direction == "" {
			want.Direction = message.Outbound
		}
		if want.ContentType == "" {
			want.ContentType = message.Text
		}
		if !reflect.DeepEqual(want, m) {
			t.Fatalf("New\n got %+v\nwant %+v", m, want)
		}
		raw, err := json.Marshal(m.Content)
		if err != nil {
			t.Fatalf("the content of a valid message does not encode: %v", err)
		}
		var back message.Content
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatalf("the content of a valid message does not decode: %v (%s)", err, raw)
		}
		if !reflect.DeepEqual(m.Content, back) {
			t.Fatalf("content round trip:\n got %+v\nwant %+v", back, m.Content)
		}
	})
}

// sameMessage is reflect.DeepEqual that compares coordinates bit for bit,
// so that a NaN equals itself.
func sameMessage(a, b *message.Message) bool {
	bits := func(p *float64) any {
		if p == nil {
			return nil
		}
		return math.Float64bits(*p)
	}
	if bits(a.Content.Latitude) != bits(b.Content.Latitude) || bits(a.Content.Longitude) != bits(b.Content.Longitude) {
		return false
	}
	a, b = a.Clone(), b.Clone()
	a.Content.Latitude, a.Content.Longitude = nil, nil
	b.Content.Latitude, b.Content.Longitude = nil, nil
	return reflect.DeepEqual(a, b)
}

// knownField reports whether name is a message field or a content field.
func knownField(name string) bool {
	switch name {
	case "id", "direction", "channel", "contentType", "from", "to", "private", "agentId":
		return true
	}
	switch strings.TrimPrefix(name, "content.") {
	case "text", "url", "caption", "latitude", "longitude", "name", "address",
		"templateName", "language", "parameters", "phone", "email":
		return strings.HasPrefix(name, "content.")
	}
	return false
}
