// Package tag holds the Tag type of the tag catalog and the rule for tag
// names.
//
// A tag name is 1 to 100 characters, each an ASCII letter or digit, '.', '_'
// or '-'. Names are case-sensitive and unique in the catalog. The restriction
// to ASCII keeps names safe in URL paths and makes their order the same in
// every store (byte order).
package tag

import (
	"time"

	"github.com/parleyhq/parley/fault"
)

// MaxNameLen is the longest tag name.
const MaxNameLen = 100

// Tag is an entry of the tag catalog.
type Tag struct {
	Name      string
	CreatedAt time.Time
}

// ValidateName checks a tag name, reporting it as the field "tagName".
func ValidateName(name string) error {
	return ValidateNameField("tagName", name)
}

// ValidateNameField checks a tag name, reporting it as field.
func ValidateNameField(field, name string) error {
	if name == "" {
		return fault.Invalid(field, "must not be empty")
	}
	if len(name) > MaxNameLen {
		return fault.Invalid(field, "longer than %d characters", MaxNameLen)
	}
	for i := 0; i < len(name); i++ {
		if !nameByte(name[i]) {
			return fault.Invalid(field, "may hold only letters, digits, '.', '_' and '-'")
		}
	}
	return nil
}

func nameByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' ||
		b == '.' || b == '_' || b == '-'
}
