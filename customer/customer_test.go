package customer_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/fault"
)

var (
	t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	t1 = t0.Add(time.Minute)
)

func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, fault.ErrInvalid)
	var fe *fault.FieldError
	require.True(t, errors.As(err, &fe), "want a *FieldError, got %T: %v", err, err)
	require.Equal(t, field, fe.Field, "field of %v", err)
}

func ptr[T any](v T) *T { return &v }

func TestNew(t *testing.T) {
	t.Parallel()
	in := customer.Customer{
		Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+44 20 7946 0000",
		Attributes: map[string]string{"plan": "gold"}, CreatedAt: t1, UpdatedAt: t1,
	}
	c, err := customer.New(in, "gen-1", t0)
	require.NoError(t, err)
	require.Equal(t, &customer.Customer{
		ID: "gen-1", Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+44 20 7946 0000",
		Attributes: map[string]string{"plan": "gold"}, CreatedAt: t0, UpdatedAt: t0,
	}, c)
	in.Attributes["plan"] = "silver"
	require.Equal(t, "gold", c.Attributes["plan"], "the input's map is copied")

	in.ID = "mine"
	c, err = customer.New(in, "gen-2", t0)
	require.NoError(t, err)
	require.Equal(t, "mine", c.ID)

	// Only the id is required, and an empty map of attributes is none.
	c, err = customer.New(customer.Customer{Attributes: map[string]string{}}, "gen-3", t0)
	require.NoError(t, err)
	require.Nil(t, c.Attributes)
	_, err = customer.New(customer.Customer{}, "", t0)
	requireInvalid(t, err, "id")
}

func TestValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    customer.Customer
		field string // "" when valid
	}{
		{"id with a control character", customer.Customer{ID: "a\tb"}, "id"},
		{"id too long", customer.Customer{ID: strings.Repeat("é", conversation.MaxCustomerIDLen+1)}, "id"},
		{"id at the limit", customer.Customer{ID: strings.Repeat("é", conversation.MaxCustomerIDLen)}, ""},
		{"name at the limit", customer.Customer{Name: strings.Repeat("é", customer.MaxNameLen)}, ""},
		{"name too long", customer.Customer{Name: strings.Repeat("é", customer.MaxNameLen+1)}, "name"},
		{"name with NUL", customer.Customer{Name: "a\x00"}, "name"},
		{"name not UTF-8", customer.Customer{Name: "\xff"}, "name"},
		{"email", customer.Customer{Email: "ada@example.com"}, ""},
		{"email with plus and subdomain", customer.Customer{Email: "ada+news@mail.example.co.uk"}, ""},
		{"email without at", customer.Customer{Email: "ada.example.com"}, "email"},
		{"email with display name", customer.Customer{Email: "Ada <ada@example.com>"}, "email"},
		{"email in brackets", customer.Customer{Email: "<ada@example.com>"}, "email"},
		{"two emails", customer.Customer{Email: "a@example.com, b@example.com"}, "email"},
		{"email with a space", customer.Customer{Email: "ada @example.com"}, "email"},
		{"email too long", customer.Customer{Email: strings.Repeat("a", 250) + "@b.co"}, "email"},
		{"email with a newline", customer.Customer{Email: "ada@example.com\n"}, "email"},
		{"phone E.164", customer.Customer{Phone: "+442079460000"}, ""},
		{"phone with separators", customer.Customer{Phone: "+1 (555) 010-0.100"}, ""},
		{"short code", customer.Customer{Phone: "112"}, ""},
		{"phone too few digits", customer.Customer{Phone: "12"}, "phone"},
		{"phone too many digits", customer.Customer{Phone: "+1234567890123456"}, "phone"},
		{"phone with letters", customer.Customer{Phone: "+1 555 CALL"}, "phone"},
		{"phone with a plus inside", customer.Customer{Phone: "1+5550100"}, "phone"},
		{"phone with other digits", customer.Customer{Phone: "+٤٤٢٠٧٩٤٦"}, "phone"},
		{"phone too long", customer.Customer{Phone: "+1" + strings.Repeat(" ", 30) + "5550100"}, "phone"},
		{"attributes", customer.Customer{Attributes: map[string]string{"": "v"}}, "attributes"},
		{"attribute value", customer.Customer{Attributes: map[string]string{"k": "\x00"}}, "attributes.k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.in.ID == "" {
				tt.in.ID = "c1"
			}
			_, err := customer.New(tt.in, "gen", t0)
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			requireInvalid(t, err, tt.field)
			if tt.field != "id" {
				p := customer.Patch{Name: ptr(tt.in.Name), Email: ptr(tt.in.Email), Phone: ptr(tt.in.Phone), Attributes: tt.in.Attributes}
				requireInvalid(t, p.Validate(), tt.field)
			}
		})
	}
}

func TestPatchApply(t *testing.T) {
	t.Parallel()
	base := func() *customer.Customer {
		c, err := customer.New(customer.Customer{Name: "Ada", Email: "ada@example.com", Attributes: map[string]string{"plan": "gold"}}, "c1", t0)
		require.NoError(t, err)
		return c
	}
	c := base()
	require.True(t, customer.Patch{}.Empty())
	require.Nil(t, customer.Patch{}.Apply(c, t1))
	require.Equal(t, base(), c, "an empty patch changes nothing")
	require.Nil(t, customer.Patch{Name: ptr("Ada")}.Apply(c, t1), "the same value is no change")
	require.Equal(t, t0, c.UpdatedAt)

	p := customer.Patch{Email: ptr(""), Phone: ptr("+15550100"), Attributes: map[string]string{}}
	require.False(t, p.Empty())
	diff := p.Apply(c, t1)
	require.Equal(t, []customer.FieldChange{
		{"email", "ada@example.com", ""},
		{"phone", "", "+15550100"},
		{"attributes", map[string]string{"plan": "gold"}, map[string]string(nil)},
	}, diff)
	require.Equal(t, "Ada", c.Name, "a field the patch does not set stays")
	require.Empty(t, c.Email)
	require.Nil(t, c.Attributes, "an empty map clears the attributes")
	require.Equal(t, t1, c.UpdatedAt)
	require.Equal(t, t0, c.CreatedAt)

	// The patch's map is copied.
	attrs := map[string]string{"tier": "1"}
	c = base()
	customer.Patch{Attributes: attrs}.Apply(c, t1)
	attrs["tier"] = "2"
	require.Equal(t, "1", c.Attributes["tier"])
}

func TestCloneDoesNotAlias(t *testing.T) {
	t.Parallel()
	c := &customer.Customer{ID: "c1", Attributes: map[string]string{"k": "v"}}
	cp := c.Clone()
	cp.Attributes["k"] = "changed"
	require.Equal(t, "v", c.Attributes["k"])
	require.Nil(t, (*customer.Customer)(nil).Clone())
}

func TestFolding(t *testing.T) {
	t.Parallel()
	require.True(t, customer.NameContains("Ada LOVELACE", "love"))
	require.True(t, customer.NameContains("Zoë", "ZOË"))
	require.False(t, customer.NameContains("Ada", "Bob"))
	require.Equal(t, customer.FoldEmail("ada@example.com"), customer.FoldEmail("Ada@Example.COM"))
	require.Equal(t, "+442079460000", customer.FoldPhone("+44 (20) 7946-0000"))
	require.Equal(t, "15550100", customer.FoldPhone("1.555.0100"))
}

func TestFirstContact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		channel            conversation.Channel
		from, email, phone string
	}{
		{conversation.Email, "ada@example.com", "ada@example.com", ""},
		{conversation.Email, "not an address", "", ""},
		{conversation.SMS, "+15550100", "", "+15550100"},
		{conversation.WhatsApp, "+15550100", "", "+15550100"},
		{conversation.Voice, "+1 555 0100", "", "+1 555 0100"},
		{conversation.WhatsApp, "whatsapp:+15550100", "", ""},
		{conversation.LiveChat, "+15550100", "", ""},
		{conversation.Telegram, "ada@example.com", "", ""},
		{conversation.SMS, "", "", ""},
	}
	for _, tt := range tests {
		c := customer.FirstContact("cust-1", tt.channel, tt.from, t0)
		require.Equal(t, &customer.Customer{ID: "cust-1", Email: tt.email, Phone: tt.phone, CreatedAt: t0, UpdatedAt: t0}, c, "%s from %q", tt.channel, tt.from)
		require.NoError(t, c.Validate())
	}
}

func TestCheckDeletable(t *testing.T) {
	t.Parallel()
	require.NoError(t, customer.CheckDeletable("c1", false))
	err := customer.CheckDeletable("c1", true)
	require.ErrorIs(t, err, fault.ErrConflict)
	var inUse *customer.InUseError
	require.True(t, errors.As(err, &inUse))
	require.Equal(t, "c1", inUse.ID)
	require.Contains(t, err.Error(), `customer "c1" still has conversations`)
}
