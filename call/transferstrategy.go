package call

import (
	"time"

	"github.com/parleyhq/parley/audio"
	"github.com/parleyhq/parley/fault"
)

// TransferStrategy is what the customer hears while a transfer of its
// call rings (Infobip's transfer-configs/transfer-strategy): music, and an
// announcement repeated every repeatInterval. One per account. Infobip is
// silent on the rest; parley decides: the announcement has no
// collectables (the customer is with an agent, not choosing a menu), and
// the id is given on the first save and kept.
type TransferStrategy struct {
	ID                  string
	MusicOnHold         audio.Music
	AnnouncementMessage audio.Announcement
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// DefaultTransferStrategy is the strategy before any is saved: the
// system's music, no announcement.
func DefaultTransferStrategy() TransferStrategy {
	return TransferStrategy{MusicOnHold: audio.Music{Enabled: true, UseDefault: true}}
}

// Clone returns a deep copy.
func (s *TransferStrategy) Clone() *TransferStrategy {
	if s == nil {
		return nil
	}
	cp := *s
	cp.MusicOnHold.File = clonePtr(s.MusicOnHold.File)
	a := &cp.AnnouncementMessage
	a.TTS, a.File = clonePtr(a.TTS), clonePtr(a.File)
	a.RepeatInterval, a.CollectDuration = clonePtr(a.RepeatInterval), clonePtr(a.CollectDuration)
	a.Collectables = nil
	return &cp
}

// Validate checks every field, naming it as Infobip does.
func (s *TransferStrategy) Validate() error {
	if err := optionalID("id", s.ID); err != nil {
		return err
	}
	if err := s.MusicOnHold.Validate("musicOnHold"); err != nil {
		return err
	}
	if err := s.AnnouncementMessage.Validate("announcementMessage"); err != nil {
		return err
	}
	if len(s.AnnouncementMessage.Collectables) > 0 || s.AnnouncementMessage.CollectDuration != nil {
		return fault.Invalid("announcementMessage.collectables", "a transfer announcement has none")
	}
	return nil
}
