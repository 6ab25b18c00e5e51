package sqlstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// row is one result row: pgx.Rows and *sql.Rows both are.
type row interface {
	Scan(dest ...any) error
}

// timeCol scans a time column of either dialect into *t: a timestamptz
// through pgx, the fixed-width text through database/sql. NULL is the zero
// time; every other time comes back in UTC.
type timeCol struct{ t *time.Time }

// ScanTimestamptz implements pgtype.TimestamptzScanner.
func (c timeCol) ScanTimestamptz(v pgtype.Timestamptz) error {
	if !v.Valid {
		*c.t = time.Time{}
		return nil
	}
	if v.InfinityModifier != pgtype.Finite {
		return errors.New("infinite timestamp")
	}
	*c.t = v.Time.UTC()
	return nil
}

// Scan implements sql.Scanner.
func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case time.Time:
		*c.t = v.UTC()
	case string:
		return c.parse(v)
	case []byte:
		return c.parse(string(v))
	default:
		return fmt.Errorf("cannot scan %T into a time", src)
	}
	return nil
}

func (c timeCol) parse(s string) error {
	if s == "" {
		*c.t = time.Time{}
		return nil
	}
	t, err := time.Parse(sqliteTimeFormat, s)
	if err != nil {
		t, err = time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("cannot read stored time %q", s)
		}
	}
	*c.t = t.UTC()
	return nil
}

// splitTags reads a comma-joined tag list, sorted in byte order; nil for
// none.
func splitTags(s string) []string {
	if s == "" {
		return nil
	}
	out := strings.Split(s, ",")
	slices.Sort(out)
	return out
}

// readIDs reads a JSON array of ids, sorted in byte order; nil for none.
func readIDs(s string) ([]string, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("cannot read stored id list: %w", err)
	}
	slices.Sort(out)
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// attributesText stores an attribute map as JSON: NULL for a nil map, so
// that nil and empty maps both come back as they went in.
func attributesText(m map[string]string) (any, error) {
	if m == nil {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func readAttributes(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("cannot read stored attributes: %w", err)
	}
	return m, nil
}
