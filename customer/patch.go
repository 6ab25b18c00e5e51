package customer

import (
	"maps"
	"time"

	"github.com/parleyhq/parley/conversation"
)

// Patch is a partial update: nil fields are left as they are, an empty
// string clears a field. A non-nil Attributes replaces the whole map (an
// empty, non-nil map clears it).
type Patch struct {
	Name       *string
	Email      *string
	Phone      *string
	Attributes map[string]string
}

// Empty reports whether the patch sets no field.
func (p Patch) Empty() bool {
	return p.Name == nil && p.Email == nil && p.Phone == nil && p.Attributes == nil
}

// Validate checks every field the patch sets.
func (p Patch) Validate() error {
	if p.Name != nil {
		if err := ValidateName("name", *p.Name); err != nil {
			return err
		}
	}
	if p.Email != nil {
		if err := ValidateEmail("email", *p.Email); err != nil {
			return err
		}
	}
	if p.Phone != nil {
		if err := ValidatePhone("phone", *p.Phone); err != nil {
			return err
		}
	}
	return conversation.ValidateAttributes(p.Attributes)
}

// Apply applies the patch to c at time now and returns what changed, in
// Diff's order, or nil when nothing did; UpdatedAt moves on only when
// something changed. p must have passed Validate.
func (p Patch) Apply(c *Customer, now time.Time) []FieldChange {
	before := *c
	setIf(&c.Name, p.Name)
	setIf(&c.Email, p.Email)
	setIf(&c.Phone, p.Phone)
	if p.Attributes != nil && !maps.Equal(p.Attributes, c.Attributes) {
		c.Attributes = maps.Clone(p.Attributes)
		if len(c.Attributes) == 0 {
			c.Attributes = nil
		}
	}
	diff := Diff(&before, c)
	if len(diff) == 0 {
		*c = before
		return nil
	}
	c.UpdatedAt = now
	return diff
}

func setIf(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

// FieldChange is one changed field: its wire name and the values before and
// after, strings or map[string]string.
type FieldChange struct {
	Field  string
	Before any
	After  any
}

// Diff lists the fields that differ between a and b, in a fixed order: name,
// email, phone, attributes. The times are bookkeeping, not compared.
func Diff(a, b *Customer) []FieldChange {
	var out []FieldChange
	str := func(field, x, y string) {
		if x != y {
			out = append(out, FieldChange{field, x, y})
		}
	}
	str("name", a.Name, b.Name)
	str("email", a.Email, b.Email)
	str("phone", a.Phone, b.Phone)
	if !maps.Equal(a.Attributes, b.Attributes) {
		out = append(out, FieldChange{"attributes", maps.Clone(a.Attributes), maps.Clone(b.Attributes)})
	}
	return out
}
