package conversation

import (
	"slices"
	"time"
)

// SortedTags returns names as Conversation.Tags holds them: sorted, each
// name once; nil when there are none. names is left as it is.
func SortedTags(names []string) []string {
	if len(names) == 0 {
		return nil
	}
	out := slices.Clone(names)
	slices.Sort(out)
	return slices.Compact(out)
}

// Tagged records on c that tag name was linked to it at time now: Tags
// stay sorted with each name once, and since a tag is a change of the
// conversation, Version and UpdatedAt move on. Whether the conversation may
// change (CheckMutable) and whether the link is new are the caller's to
// know: the store holds the links.
func (c *Conversation) Tagged(name string, now time.Time) {
	if i, found := slices.BinarySearch(c.Tags, name); !found {
		// A new array: c.Tags may share its own with a caller's copy.
		c.Tags = slices.Insert(slices.Clip(c.Tags), i, name)
	}
	c.changed(now)
}

// Untagged records on c that the link to tag name was removed at time now:
// the name leaves Tags, and Version and UpdatedAt move on, as for Tagged.
func (c *Conversation) Untagged(name string, now time.Time) {
	if i, found := slices.BinarySearch(c.Tags, name); found {
		c.Tags = append(c.Tags[:i:i], c.Tags[i+1:]...)
	}
	c.changed(now)
}

// changed stamps a change of c made at time now: every change bumps Version
// and UpdatedAt.
func (c *Conversation) changed(now time.Time) {
	c.Version++
	c.UpdatedAt = now
}
