// Package message holds the Message type, its content rules and the reply
// matrix that decides who may send an OUTBOUND message.
//
// Content rules, per content type (every other content field must be empty):
//
//   - TEXT: text, 1..4096 characters.
//   - IMAGE, AUDIO, VIDEO, DOCUMENT: url (1..2048), caption (≤ 1000).
//   - LOCATION: latitude in [-90, 90], longitude in [-180, 180], name (≤ 255),
//     address (≤ 1000).
//   - TEMPLATE: templateName (1..255), language (1..35), at most 100
//     parameters of ≤ 1000 characters each.
//   - CONTACT: name (1..255), phone (≤ 64), email (≤ 255).
//
// from and to are at most 255 characters. The direction defaults to OUTBOUND
// and the content type to TEXT.
package message

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
)

// Limits on message fields, counted in runes.
const (
	MaxTextLen       = 4096
	MaxURLLen        = 2048
	MaxCaptionLen    = 1000
	MaxNameLen       = 255
	MaxAddressLen    = 1000
	MaxLanguageLen   = 35
	MaxParameters    = 100
	MaxParameterLen  = 1000
	MaxPhoneLen      = 64
	MaxEmailLen      = 255
	MaxEndpointLen   = 255                   // from and to
	MaxIDLen         = conversation.MaxIDLen // one id rule for every entity
	MaxTemplateLen   = 255
	MaxAttachments   = 20 // files of one note
	maxCoordinateLat = 90
	maxCoordinateLon = 180
)

// Direction says who wrote a message: the customer (INBOUND) or the
// business (OUTBOUND).
type Direction string

// The directions.
const (
	Inbound  Direction = "INBOUND"
	Outbound Direction = "OUTBOUND"
)

// Valid reports whether d is a known direction.
func (d Direction) Valid() bool { return d == Inbound || d == Outbound }

// ParseDirection accepts a direction name; anything else is ErrInvalid.
func ParseDirection(s string) (Direction, error) {
	if d := Direction(s); d.Valid() {
		return d, nil
	}
	return "", fault.Invalid("direction", "unknown value %q", s)
}

// ContentType says what a message's content holds.
type ContentType string

// The content types.
const (
	Text     ContentType = "TEXT"
	Image    ContentType = "IMAGE"
	Location ContentType = "LOCATION"
	Template ContentType = "TEMPLATE"
	Audio    ContentType = "AUDIO"
	Video    ContentType = "VIDEO"
	Document ContentType = "DOCUMENT"
	Contact  ContentType = "CONTACT"
)

// ContentTypes lists every content type.
var ContentTypes = []ContentType{Text, Image, Location, Template, Audio, Video, Document, Contact}

// Valid reports whether t is a known content type.
func (t ContentType) Valid() bool { return slices.Contains(ContentTypes, t) }

// ParseContentType accepts a content type name; anything else is ErrInvalid.
func ParseContentType(s string) (ContentType, error) {
	if t := ContentType(s); t.Valid() {
		return t, nil
	}
	return "", fault.Invalid("contentType", "unknown value %q", s)
}

func (t ContentType) media() bool {
	return t == Image || t == Audio || t == Video || t == Document
}

// Content is the body of a message. Which fields apply depends on the
// content type (see the package doc); the others stay empty.
type Content struct {
	Text string `json:"text,omitempty"`

	URL     string `json:"url,omitempty"`
	Caption string `json:"caption,omitempty"`

	Latitude  *float64 `json:"latitude,omitempty"`
	Longitude *float64 `json:"longitude,omitempty"`
	Address   string   `json:"address,omitempty"`

	TemplateName string   `json:"templateName,omitempty"`
	Language     string   `json:"language,omitempty"`
	Parameters   []string `json:"parameters,omitempty"`

	Name  string `json:"name,omitempty"` // of a LOCATION or a CONTACT
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`

	// Sender and SenderName are an EMAIL message's sender address and the
	// name shown with it, as Infobip's email content has them; any content
	// type of an EMAIL message may carry them, and no other message.
	Sender     string `json:"sender,omitempty"`
	SenderName string `json:"senderName,omitempty"`

	// Attachments are the files an internal note refers to (Infobip's
	// ATTACHMENT notes): only a private TEXT message has them, and with
	// them its text may be empty.
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Attachment is a file a note refers to, kept where the host keeps its
// files: parley records what the note says of it and serves no content.
type Attachment struct {
	ID            string `json:"id"`
	FileName      string `json:"fileName,omitempty"`
	FileExtension string `json:"fileExtension,omitempty"`
	ContentType   string `json:"contentType,omitempty"` // a media type, such as image/png
	FileSize      int64  `json:"fileSize,omitempty"`    // in bytes
	PublicLink    string `json:"publicLink,omitempty"`
}

// validate checks the attachment, reporting fields under field
// ("content.attachments[0]").
func (a Attachment) validate(field string) error {
	if err := fault.Identifier(field+".id", a.ID, MaxIDLen); err != nil {
		return err
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"fileName", a.FileName, MaxNameLen}, {"fileExtension", a.FileExtension, MaxNameLen},
		{"contentType", a.ContentType, MaxNameLen}, {"publicLink", a.PublicLink, MaxURLLen},
	} {
		if err := fault.Text(field+"."+f.name, f.value, f.max); err != nil {
			return err
		}
	}
	if a.FileSize < 0 {
		return fault.Invalid(field+".fileSize", "must not be negative")
	}
	return nil
}

// Clone returns a deep copy.
func (c Content) Clone() Content {
	if c.Latitude != nil {
		v := *c.Latitude
		c.Latitude = &v
	}
	if c.Longitude != nil {
		v := *c.Longitude
		c.Longitude = &v
	}
	c.Parameters = slices.Clone(c.Parameters)
	c.Attachments = slices.Clone(c.Attachments)
	return c
}

// Message is one message of a conversation.
type Message struct {
	ID             string
	ConversationID string
	Direction      Direction
	Channel        conversation.Channel
	From           string
	To             string
	ContentType    ContentType
	Content        Content
	AgentID        string // who sent it, for OUTBOUND messages sent by an agent
	Private        bool   // an internal note: never delivered to the customer
	CreatedAt      time.Time
}

// Clone returns a deep copy.
func (m *Message) Clone() *Message {
	if m == nil {
		return nil
	}
	cp := *m
	cp.Content = m.Content.Clone()
	return &cp
}

// New builds a message from input: it applies the defaults (direction
// OUTBOUND, content type TEXT), stamps id and time, and checks every field.
// The input's own ID wins over id when set. A message without a channel
// takes its conversation's in AttachTo.
func New(in Message, id string, now time.Time) (*Message, error) {
	m := in.Clone()
	m.ConversationID = ""
	m.CreatedAt = now
	if m.ID == "" {
		m.ID = id
	}
	if m.Direction == "" {
		m.Direction = Outbound
	}
	if m.ContentType == "" {
		m.ContentType = Text
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// AttachTo makes m a message of c: it fails with ErrClosed when c is
// closed, since a closed conversation takes no message of any kind, and
// gives m the conversation's channel when it has none.
func (m *Message) AttachTo(c *conversation.Conversation) error {
	if err := c.CheckMutable(); err != nil {
		return err
	}
	m.ConversationID = c.ID
	if m.Channel == "" {
		m.Channel = c.Channel
	}
	if m.Channel != conversation.Email {
		if m.Content.Sender != "" {
			return fault.Invalid("content.sender", "only an EMAIL message has a sender, not one on %s", m.Channel)
		}
		if m.Content.SenderName != "" {
			return fault.Invalid("content.senderName", "only an EMAIL message has a sender, not one on %s", m.Channel)
		}
	}
	return nil
}

// Validate checks every field and the content against its type.
func (m *Message) Validate() error {
	if err := fault.Identifier("id", m.ID, MaxIDLen); err != nil {
		return err
	}
	if !m.Direction.Valid() {
		return fault.Invalid("direction", "unknown value %q", m.Direction)
	}
	if m.Channel != "" && !m.Channel.Valid() {
		return fault.Invalid("channel", "unknown value %q", m.Channel)
	}
	if !m.ContentType.Valid() {
		return fault.Invalid("contentType", "unknown value %q", m.ContentType)
	}
	if err := fault.Text("from", m.From, MaxEndpointLen); err != nil {
		return err
	}
	if err := fault.Text("to", m.To, MaxEndpointLen); err != nil {
		return err
	}
	if m.Private && m.Direction == Inbound {
		return fault.Invalid("private", "only an OUTBOUND message can be a private note")
	}
	if len(m.Content.Attachments) > 0 && !m.Private {
		return fault.Invalid("content.attachments", "only a note (a private message) has attachments")
	}
	if m.AgentID != "" {
		if err := fault.Identifier("agentId", m.AgentID, MaxIDLen); err != nil {
			return err
		}
	}
	if err := fault.Text("content.sender", m.Content.Sender, MaxEmailLen); err != nil {
		return err
	}
	if err := fault.Text("content.senderName", m.Content.SenderName, MaxNameLen); err != nil {
		return err
	}
	return m.Content.Validate(m.ContentType)
}

// Validate checks the content against content type t.
func (c Content) Validate(t ContentType) error {
	allowed := map[string]bool{}
	switch {
	case t == Text:
		allowed["text"], allowed["attachments"] = true, true
		if len(c.Attachments) > MaxAttachments {
			return fault.Invalid("content.attachments", "more than %d files", MaxAttachments)
		}
		for i, a := range c.Attachments {
			if err := a.validate(fmt.Sprintf("content.attachments[%d]", i)); err != nil {
				return err
			}
		}
		if len(c.Attachments) > 0 {
			if err := fault.Text("content.text", c.Text, MaxTextLen); err != nil {
				return err
			}
		} else if err := required("content.text", c.Text, MaxTextLen); err != nil {
			return err
		}
	case t.media():
		allowed["url"], allowed["caption"] = true, true
		if err := required("content.url", c.URL, MaxURLLen); err != nil {
			return err
		}
		if err := fault.Text("content.caption", c.Caption, MaxCaptionLen); err != nil {
			return err
		}
	case t == Location:
		for _, f := range []string{"latitude", "longitude", "name", "address"} {
			allowed[f] = true
		}
		if err := coordinate("content.latitude", c.Latitude, maxCoordinateLat); err != nil {
			return err
		}
		if err := coordinate("content.longitude", c.Longitude, maxCoordinateLon); err != nil {
			return err
		}
		if err := fault.Text("content.name", c.Name, MaxNameLen); err != nil {
			return err
		}
		if err := fault.Text("content.address", c.Address, MaxAddressLen); err != nil {
			return err
		}
	case t == Template:
		for _, f := range []string{"templateName", "language", "parameters"} {
			allowed[f] = true
		}
		if err := required("content.templateName", c.TemplateName, MaxTemplateLen); err != nil {
			return err
		}
		if err := required("content.language", c.Language, MaxLanguageLen); err != nil {
			return err
		}
		if len(c.Parameters) > MaxParameters {
			return fault.Invalid("content.parameters", "more than %d values", MaxParameters)
		}
		for _, p := range c.Parameters {
			if err := fault.Text("content.parameters", p, MaxParameterLen); err != nil {
				return err
			}
		}
	case t == Contact:
		for _, f := range []string{"name", "phone", "email"} {
			allowed[f] = true
		}
		if err := required("content.name", c.Name, MaxNameLen); err != nil {
			return err
		}
		if err := fault.Text("content.phone", c.Phone, MaxPhoneLen); err != nil {
			return err
		}
		if err := fault.Text("content.email", c.Email, MaxEmailLen); err != nil {
			return err
		}
	default:
		return fault.Invalid("contentType", "unknown value %q", t)
	}
	for _, f := range c.setFields() {
		if f.set && !allowed[f.name] {
			return fault.Invalid("content."+f.name, "not allowed for content type %s", t)
		}
	}
	return nil
}

// setFields says which content fields are set, in a fixed order: the first
// one a content type does not allow is the one its error names.
func (c Content) setFields() [13]struct {
	name string
	set  bool
} {
	return [13]struct {
		name string
		set  bool
	}{
		{"text", c.Text != ""},
		{"url", c.URL != ""},
		{"caption", c.Caption != ""},
		{"latitude", c.Latitude != nil},
		{"longitude", c.Longitude != nil},
		{"name", c.Name != ""},
		{"address", c.Address != ""},
		{"templateName", c.TemplateName != ""},
		{"language", c.Language != ""},
		{"parameters", len(c.Parameters) > 0},
		{"phone", c.Phone != ""},
		{"email", c.Email != ""},
		{"attachments", len(c.Attachments) > 0},
	}
}

func required(field, s string, max int) error {
	if s == "" {
		return fault.Invalid(field, "is required")
	}
	return fault.Text(field, s, max)
}

func coordinate(field string, v *float64, limit float64) error {
	if v == nil {
		return fault.Invalid(field, "is required")
	}
	if math.IsNaN(*v) || *v < -limit || *v > limit {
		return fault.Invalid(field, "must be between %g and %g", -limit, limit)
	}
	return nil
}
