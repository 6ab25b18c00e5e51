package call

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/parleyhq/parley/audio"
	"github.com/parleyhq/parley/fault"
)

// MaxHoldConfigNameLen is the longest hold configuration name, as Infobip
// documents it.
const MaxHoldConfigNameLen = 128

// HoldConfig is what a customer put on hold hears, per queue: Infobip's
// hold-configs-per-queue. A configuration applies to the calls of its
// queues; the default one (Default) to the calls of every other queue, and
// only it may name no queue. Infobip is silent on the rest; parley
// decides: only an enabled configuration applies; a queue belongs to one
// configuration at most and there is one default at most (HoldConflicts);
// the announcement has no collectables (a caller on hold is with an agent,
// not choosing a menu); and while on hold the announcement repeats every
// repeatInterval from the moment the hold began.
type HoldConfig struct {
	ID                  string
	Name                string
	OnHoldMusic         audio.Music
	AnnouncementMessage audio.Announcement
	QueueIDs            []string
	Enabled             bool
	Default             bool
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// Clone returns a deep copy.
func (h *HoldConfig) Clone() *HoldConfig {
	if h == nil {
		return nil
	}
	cp := *h
	cp.QueueIDs = slices.Clone(h.QueueIDs)
	cp.OnHoldMusic.File = clonePtr(h.OnHoldMusic.File)
	a := &cp.AnnouncementMessage
	a.TTS, a.File = clonePtr(a.TTS), clonePtr(a.File)
	a.RepeatInterval, a.CollectDuration = clonePtr(a.RepeatInterval), clonePtr(a.CollectDuration)
	a.Collectables = slices.Clone(a.Collectables)
	return &cp
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// Validate checks every field, naming it as Infobip does.
func (h *HoldConfig) Validate() error {
	if err := optionalID("id", h.ID); err != nil {
		return err
	}
	if err := fault.Identifier("name", h.Name, MaxHoldConfigNameLen); err != nil {
		return err
	}
	if err := h.OnHoldMusic.Validate("onHoldMusic"); err != nil {
		return err
	}
	if err := h.AnnouncementMessage.Validate("announcementMessage"); err != nil {
		return err
	}
	if len(h.AnnouncementMessage.Collectables) > 0 {
		return fault.Invalid("announcementMessage.collectables", "a hold announcement has none")
	}
	if len(h.QueueIDs) == 0 && !h.Default {
		return fault.Invalid("queueIds", "hold configuration must be applied to at least one queue")
	}
	for i, q := range h.QueueIDs {
		f := "queueIds[" + strconv.Itoa(i) + "]"
		if err := fault.Identifier(f, q, MaxIDLen); err != nil {
			return err
		}
		if slices.Contains(h.QueueIDs[:i], q) {
			return fault.Invalid(f, "names queue %q twice", q)
		}
	}
	return nil
}

// HoldConflicts returns fault.ErrConflict when h names a queue another
// configuration of existing (by id) names, or is a second default.
func HoldConflicts(existing []*HoldConfig, h *HoldConfig) error {
	for _, o := range existing {
		if o == nil || o.ID == h.ID {
			continue
		}
		if h.Default && o.Default {
			return fmt.Errorf("%w: hold configuration %q is already the default", fault.ErrConflict, o.ID)
		}
		for _, q := range h.QueueIDs {
			if slices.Contains(o.QueueIDs, q) {
				return fmt.Errorf("%w: queue %q already has hold configuration %q", fault.ErrConflict, q, o.ID)
			}
		}
	}
	return nil
}

// HoldConfigFor returns the configuration for a call held in queueID: the
// enabled one naming the queue, else the enabled default; nil for none.
// Should several match (HoldConflicts prevents it), the oldest wins.
func HoldConfigFor(configs []*HoldConfig, queueID string) *HoldConfig {
	var named, def *HoldConfig
	for _, h := range configs {
		if h == nil || !h.Enabled {
			continue
		}
		if queueID != "" && slices.Contains(h.QueueIDs, queueID) && olderHold(h, named) {
			named = h
		}
		if h.Default && olderHold(h, def) {
			def = h
		}
	}
	if named != nil {
		return named
	}
	return def
}

func olderHold(a, b *HoldConfig) bool {
	if b == nil {
		return true
	}
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.Before(b.CreatedAt)
	}
	return a.ID < b.ID
}

// NextAnnouncement returns when the hold announcement plays next after
// after, for a customer put on hold at since: the first since + k ×
// repeatInterval (k ≥ 1) later than after; ok is false when the
// announcement is off.
func (h *HoldConfig) NextAnnouncement(since, after time.Time) (at time.Time, ok bool) {
	a := h.AnnouncementMessage
	if !a.Enabled || a.RepeatInterval == nil || a.RepeatInterval.D() <= 0 {
		return time.Time{}, false
	}
	every := a.RepeatInterval.D()
	k := int64(1)
	if after.After(since) {
		k = int64(after.Sub(since)/every) + 1
	}
	return since.Add(time.Duration(k) * every), true
}
