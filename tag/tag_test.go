package tag_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, storage.ErrInvalid)
	var fe *storage.FieldError
	require.True(t, errors.As(err, &fe), "want a *FieldError, got %T: %v", err, err)
	require.Equal(t, field, fe.Field, "field of %v", err)
}

func TestValidateName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ok   bool
	}{
		{"vip", true},
		{"VIP", true},
		{"a", true},
		{"0", true},
		{"billing.refund_2024-q1", true},
		{"._-", true},
		{"ABCXYZabcxyz0189", true},
		{strings.Repeat("a", 100), true},
		{strings.Repeat("a", 101), false},
		{"", false},
		{"with space", false},
		{"slash/", false},
		{"colon:", false},
		{"hash#", false},
		{"percent%", false},
		{"plus+", false},
		{"comma,", false},
		{"tab\t", false},
		{"nul\x00", false},
		{"\xff", false},
		{"café", false},
		{"é", false},
		{"日本", false},
		{strings.Repeat("é", 50), false},
		{"emoji😀", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tag.ValidateName(tt.name)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			requireInvalid(t, err, "tagName")
		})
	}
}

func TestValidateNameField(t *testing.T) {
	t.Parallel()
	requireInvalid(t, tag.ValidateNameField("tags", ""), "tags")
	requireInvalid(t, tag.ValidateNameField("condition.tagsAny", "a b"), "condition.tagsAny")
	requireInvalid(t, tag.ValidateNameField("tags", strings.Repeat("x", tag.MaxNameLen+1)), "tags")
	require.NoError(t, tag.ValidateNameField("tags", strings.Repeat("x", tag.MaxNameLen)))
	require.Equal(t, 100, tag.MaxNameLen)
}
