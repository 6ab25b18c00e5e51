package sqlstore

import (
	"cmp"
	"slices"
	"strings"

	"github.com/parleyhq/parley/fault"
)

// builder assembles a statement whose shape depends on the query (the
// lists). Only fixed SQL and validated identifiers go into its text; every
// value is a parameter.
type builder struct {
	d *dialect
	strings.Builder
	args []any
}

func newBuilder(d *dialect) *builder { return &builder{d: d} }

// arg adds a parameter and returns its placeholder.
func (b *builder) arg(v any) string {
	b.args = append(b.args, v)
	return b.d.placeholder(len(b.args))
}

// oneOf is "col is one of vs", an equality for a single value.
func (b *builder) oneOf(col string, vs []string) string {
	vs = sortedUnique(vs)
	if len(vs) == 1 {
		return col + " = " + b.arg(vs[0])
	}
	return b.d.inList(col, b.arg(b.d.textList(vs)), "text")
}

// where appends the conditions, if any, joined with AND.
func (b *builder) where(conds []string) {
	for i, c := range conds {
		if i == 0 {
			b.WriteString(" WHERE ")
		} else {
			b.WriteString(" AND ")
		}
		b.WriteString(c)
	}
}

// sql is the statement text with table names in place.
func (b *builder) sql() string { return b.d.tables.Replace(b.String()) }

// stmt is the built statement.
func (b *builder) stmt() *stmt { return &stmt{sql: b.sql(), args: b.args} }

func sortedUnique[T cmp.Ordered](vs []T) []T {
	if len(vs) == 0 {
		return nil
	}
	out := slices.Clone(vs)
	slices.Sort(out)
	return slices.Compact(out)
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// invalidJSON reports a value the store could not encode.
func invalidJSON(field string, err error) error {
	return fault.Invalid(field, "cannot be stored: %s", err)
}

// prefixEnd is the smallest string greater than every string that starts
// with prefix, for a range scan. Tag names are ASCII letters, digits and
// '.', '_', '-', so the last byte never overflows.
func prefixEnd(prefix string) string {
	b := []byte(prefix)
	b[len(b)-1]++
	return string(b)
}
