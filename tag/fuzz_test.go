package tag_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/tag"
)

// nameRule is the tag name rule of the package doc, written a second way.
var nameRule = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)

// FuzzValidateName checks ValidateName against the rule as a regular
// expression: it never panics, accepts exactly the names the rule allows,
// and refuses the others with an ErrInvalid naming the field it was given.
func FuzzValidateName(f *testing.F) {
	for _, seed := range []string{
		"vip", "", "a.b_c-D9", "with space", "x'; DROP TABLE tags; --", "é", "\x00",
		"\xff", "tag,with,commas", "%2F", "../etc", strings.Repeat("a", 100), strings.Repeat("a", 101),
	} {
		f.Add(seed, "tagName")
	}
	f.Fuzz(func(t *testing.T, name, field string) {
		err := tag.ValidateNameField(field, name)
		want := nameRule.MatchString(name)
		if want != (err == nil) {
			t.Fatalf("ValidateNameField(%q) = %v; the rule says valid=%v", name, err, want)
		}
		if err != nil {
			var fe *fault.FieldError
			if !errors.Is(err, fault.ErrInvalid) || !errors.As(err, &fe) || fe.Field != field {
				t.Fatalf("ValidateNameField(%q, %q) = %#v: want a FieldError naming %q", field, name, err, field)
			}
		}
		if (tag.ValidateName(name) == nil) != want {
			t.Fatalf("ValidateName(%q) disagrees with ValidateNameField", name)
		}
	})
}
