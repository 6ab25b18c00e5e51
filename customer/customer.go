// Package customer holds the Customer type and its rules: the person a
// conversation is with, as a helpdesk or CRM knows them.
//
// The rules, each defined here once so that the service, every store and
// every transport share it:
//
//   - A customer has an id, which follows the one customer-id rule of
//     conversations (conversation.ValidateCustomerID), so that every
//     customer can be a conversation's customer and be threaded into; a new
//     customer gets a generated id unless the caller gives one.
//   - Every other field is optional: a customer that an inbound message
//     introduces (FirstContact) may be known by its id alone. Name is free
//     text of at most MaxNameLen characters; Email, when set, is one
//     address (local@domain, as net/mail reads it, no display name) of at
//     most MaxEmailLen characters; Phone, when set, is a number of 3 to 15
//     digits, an optional leading '+', and spaces, '-', '.', '(' and ')'
//     between them, at most MaxPhoneLen characters. Attributes follow the
//     conversation's attribute rule.
//   - Email and phone are not unique: two customers may share an address
//     (a family, a shared inbox), and the id is what names a customer.
//   - Lists match an email ignoring case (FoldEmail), a phone by its digits
//     and '+' alone (FoldPhone), and a name by a case-insensitive substring
//     (FoldName). Stores that search in SQL keep the folded values beside
//     the values.
//   - A patch changes only the fields it sets; a change bumps UpdatedAt, a
//     patch that changes nothing changes nothing (Patch.Apply).
//   - A customer who still has conversations cannot be deleted
//     (CheckDeletable): the conversations would name someone who is gone.
//     Delete or move the conversations first.
//
// The package does no I/O.
package customer

import (
	"fmt"
	"maps"
	"net/mail"
	"strings"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
)

// Limits on customer fields, counted in characters.
const (
	MaxNameLen  = 255
	MaxEmailLen = 254 // the longest address SMTP carries (RFC 5321)
	MaxPhoneLen = 32
)

// The bounds on a phone number's digits: E.164 numbers have at most 15,
// and short codes have as few as 3.
const (
	minPhoneDigits = 3
	maxPhoneDigits = 15
)

// Customer is the person conversations are with.
type Customer struct {
	ID         string
	Name       string
	Email      string
	Phone      string
	Attributes map[string]string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Clone returns a deep copy: changing the copy never changes c.
func (c *Customer) Clone() *Customer {
	if c == nil {
		return nil
	}
	cp := *c
	cp.Attributes = maps.Clone(c.Attributes)
	return &cp
}

// New builds a customer from the caller's input: it checks every field and
// stamps the times. The input's own ID wins over id when set; the input's
// times are ignored.
func New(in Customer, id string, now time.Time) (*Customer, error) {
	c := &Customer{
		ID:         in.ID,
		Name:       in.Name,
		Email:      in.Email,
		Phone:      in.Phone,
		Attributes: maps.Clone(in.Attributes),
		CreatedAt:  now,
		UpdatedAt:  now,
	}
	if c.ID == "" {
		c.ID = id
	}
	if len(c.Attributes) == 0 {
		c.Attributes = nil // one value for none, as every store reads it back
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Validate checks every field.
func (c *Customer) Validate() error {
	if err := conversation.RequireCustomerID("id", c.ID); err != nil {
		return err
	}
	if err := ValidateName("name", c.Name); err != nil {
		return err
	}
	if err := ValidateEmail("email", c.Email); err != nil {
		return err
	}
	if err := ValidatePhone("phone", c.Phone); err != nil {
		return err
	}
	return conversation.ValidateAttributes(c.Attributes)
}

// ValidateName checks a name, naming field in the error: text of at most
// MaxNameLen characters; empty is allowed.
func ValidateName(field, name string) error {
	return fault.Text(field, name, MaxNameLen)
}

// ValidateEmail checks an email address, naming field in the error: empty,
// or one address local@domain of at most MaxEmailLen characters, without a
// display name or angle brackets.
func ValidateEmail(field, email string) error {
	if email == "" {
		return nil
	}
	if err := fault.Identifier(field, email, MaxEmailLen); err != nil {
		return err
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return fault.Invalid(field, "must be one email address such as ada@example.com")
	}
	return nil
}

// ValidatePhone checks a phone number, naming field in the error: empty, or
// 3 to 15 digits with an optional leading '+' and spaces, '-', '.', '('
// and ')' between them, at most MaxPhoneLen characters in all.
func ValidatePhone(field, phone string) error {
	if phone == "" {
		return nil
	}
	if err := fault.Identifier(field, phone, MaxPhoneLen); err != nil {
		return err
	}
	digits := 0
	for i, r := range phone {
		switch {
		case '0' <= r && r <= '9':
			digits++
		case r == '+' && i == 0:
		case strings.ContainsRune(" -.()", r):
		default:
			return fault.Invalid(field, "must be a phone number such as +44 20 7946 0000, not %q", phone)
		}
	}
	if digits < minPhoneDigits || digits > maxPhoneDigits {
		return fault.Invalid(field, "must have %d to %d digits", minPhoneDigits, maxPhoneDigits)
	}
	return nil
}

// FoldName is the case folding under which "name contains" matches: both
// the name and the needle are folded with it.
func FoldName(s string) string { return strings.ToLower(s) }

// NameContains reports whether name contains needle, ignoring case.
func NameContains(name, needle string) bool {
	return strings.Contains(FoldName(name), FoldName(needle))
}

// FoldEmail is the form in which emails match: ignoring case, as mail
// systems treat addresses in practice.
func FoldEmail(s string) string { return strings.ToLower(s) }

// FoldPhone is the form in which phone numbers match: the leading '+' and
// the digits, without the separators, so "+44 20 7946 0000" matches
// "+442079460000".
func FoldPhone(s string) string {
	var b strings.Builder
	for i, r := range s {
		if '0' <= r && r <= '9' || r == '+' && i == 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// FirstContact is the customer that a first inbound message from address
// from on channel introduces: known by its id, with the address as its
// email on EMAIL and as its phone on SMS, WHATSAPP and VOICE when it is a
// valid one; any other address is left out rather than refuse the message.
func FirstContact(id string, channel conversation.Channel, from string, now time.Time) *Customer {
	c := &Customer{ID: id, CreatedAt: now, UpdatedAt: now}
	switch channel {
	case conversation.Email:
		if from != "" && ValidateEmail("email", from) == nil {
			c.Email = from
		}
	case conversation.SMS, conversation.WhatsApp, conversation.Voice:
		if from != "" && ValidatePhone("phone", from) == nil {
			c.Phone = from
		}
	}
	return c
}

// InUseError is the ErrConflict of deleting a customer who still has
// conversations.
type InUseError struct {
	ID string // the customer's id
}

// Error implements error.
func (e *InUseError) Error() string {
	return fmt.Sprintf("customer %q still has conversations: delete them, or move them to another customer, first", e.ID)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *InUseError) Is(target error) bool { return target == fault.ErrConflict }

// CheckDeletable says whether the customer may be deleted: an *InUseError
// when it still has conversations.
func CheckDeletable(id string, hasConversations bool) error {
	if hasConversations {
		return &InUseError{ID: id}
	}
	return nil
}
