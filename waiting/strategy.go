package waiting

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/parleyhq/parley/audio"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
)

// Limits.
const (
	MaxNameLen          = 128 // Infobip's
	MaxConditionEntries = 100 // parley's: senders or queues in one condition
	DefaultQueue        = "default"
)

// ConditionType says what a strategy's condition names.
type ConditionType string

// The condition types.
const (
	BySender ConditionType = "SENDER"
	ByQueue  ConditionType = "QUEUE"
)

// Sender is a number or application customers call.
type Sender struct {
	ClientType call.ClientType
	Identifier string
}

// Condition is the calls a strategy applies to: Senders for SENDER,
// Queues (ids, or DefaultQueue) for QUEUE.
type Condition struct {
	Senders []Sender
	Queues  []string
}

// OutcomeAction is what happens to a call at its maximum wait.
type OutcomeAction string

// The outcome actions.
const (
	Overflow OutcomeAction = "OVERFLOW" // move to another queue
	CallBack OutcomeAction = "CALLBACK" // end, asking the host to call the customer back (a Callback)
	End      OutcomeAction = "END"      // end with MAXIMUM_WAIT_TIME
)

// Outcome is parley's addition to a strategy: what happens at the
// maximum wait. The zero Outcome follows the queue (see the package doc).
type Outcome struct {
	Action  OutcomeAction
	QueueID string // OVERFLOW's queue
}

// Strategy is one waiting strategy.
type Strategy struct {
	ID                          string
	Name                        string
	MaximumWaitTime             audio.Duration
	GreetingMessage             audio.Message
	MusicOnHold                 audio.Music
	AnnouncementMessage         audio.Announcement
	CallbackConfirmationMessage audio.Message
	MaximumWaitTimeMessage      audio.Message
	ConditionType               ConditionType
	Condition                   Condition
	Outcome                     Outcome
	CreatedAt                   time.Time
	UpdatedAt                   time.Time
}

// Clone returns a deep copy: changing the copy never changes s.
func (s *Strategy) Clone() *Strategy {
	if s == nil {
		return nil
	}
	cp := *s
	cp.GreetingMessage = cloneMessage(s.GreetingMessage)
	cp.CallbackConfirmationMessage = cloneMessage(s.CallbackConfirmationMessage)
	cp.MaximumWaitTimeMessage = cloneMessage(s.MaximumWaitTimeMessage)
	cp.AnnouncementMessage.Message = cloneMessage(s.AnnouncementMessage.Message)
	cp.AnnouncementMessage.Collectables = slices.Clone(s.AnnouncementMessage.Collectables)
	cp.AnnouncementMessage.RepeatInterval = clonePtr(s.AnnouncementMessage.RepeatInterval)
	cp.AnnouncementMessage.CollectDuration = clonePtr(s.AnnouncementMessage.CollectDuration)
	cp.MusicOnHold.File = clonePtr(s.MusicOnHold.File)
	cp.Condition.Senders = slices.Clone(s.Condition.Senders)
	cp.Condition.Queues = slices.Clone(s.Condition.Queues)
	return &cp
}

func cloneMessage(m audio.Message) audio.Message {
	m.TTS = clonePtr(m.TTS)
	m.File = clonePtr(m.File)
	return m
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// Validate checks every field, naming it by its path on the wire
// (maximumWaitTime.value, greetingMessage.ttsAudioSource.text,
// condition.senders[0].identifier).
func (s *Strategy) Validate() error {
	if s.ID != "" {
		if err := fault.Identifier("id", s.ID, conversation.MaxIDLen); err != nil {
			return err
		}
	}
	if err := fault.Identifier("name", s.Name, MaxNameLen); err != nil {
		return err
	}
	if s.MaximumWaitTime == (audio.Duration{}) {
		return fault.Invalid("maximumWaitTime", "is required")
	}
	if err := s.MaximumWaitTime.Validate("maximumWaitTime"); err != nil {
		return err
	}
	if err := s.GreetingMessage.Validate("greetingMessage"); err != nil {
		return err
	}
	if err := s.MusicOnHold.Validate("musicOnHold"); err != nil {
		return err
	}
	if err := s.AnnouncementMessage.Validate("announcementMessage"); err != nil {
		return err
	}
	if err := s.CallbackConfirmationMessage.Validate("callbackConfirmationMessage"); err != nil {
		return err
	}
	if err := s.MaximumWaitTimeMessage.Validate("maximumWaitTimeMessage"); err != nil {
		return err
	}
	if err := s.validateCondition(); err != nil {
		return err
	}
	return s.validateOutcome()
}

func (s *Strategy) validateCondition() error {
	c := s.Condition
	switch s.ConditionType {
	case "":
		return fault.Invalid("conditionType", "is required")
	case BySender:
		if len(c.Queues) > 0 {
			return fault.Invalid("condition.queues", "a SENDER condition names senders only")
		}
		if err := count("condition.senders", len(c.Senders)); err != nil {
			return err
		}
		for i, sd := range c.Senders {
			f := "condition.senders[" + strconv.Itoa(i) + "]"
			if !sd.ClientType.Valid() {
				return fault.Invalid(f+".clientType", "unknown value %q", sd.ClientType)
			}
			if err := fault.Identifier(f+".identifier", sd.Identifier, call.MaxAddressLen); err != nil {
				return err
			}
			if slices.Contains(c.Senders[:i], sd) {
				return fault.Invalid(f, "names %s %q twice", sd.ClientType, sd.Identifier)
			}
		}
	case ByQueue:
		if len(c.Senders) > 0 {
			return fault.Invalid("condition.senders", "a QUEUE condition names queues only")
		}
		if err := count("condition.queues", len(c.Queues)); err != nil {
			return err
		}
		for i, q := range c.Queues {
			f := "condition.queues[" + strconv.Itoa(i) + "]"
			if err := fault.Identifier(f, q, conversation.MaxIDLen); err != nil {
				return err
			}
			if slices.Contains(c.Queues[:i], q) {
				return fault.Invalid(f, "names queue %q twice", q)
			}
		}
	default:
		return fault.Invalid("conditionType", "must be SENDER or QUEUE, not %q", s.ConditionType)
	}
	return nil
}

func count(field string, n int) error {
	if n == 0 {
		return fault.Invalid(field, "must name at least one")
	}
	if n > MaxConditionEntries {
		return fault.Invalid(field, "names more than %d", MaxConditionEntries)
	}
	return nil
}

func (s *Strategy) validateOutcome() error {
	switch s.Outcome.Action {
	case "", CallBack, End:
		if s.Outcome.QueueID != "" {
			return fault.Invalid("outcome.queueId", "only an OVERFLOW outcome names a queue")
		}
	case Overflow:
		return fault.Identifier("outcome.queueId", s.Outcome.QueueID, conversation.MaxIDLen)
	default:
		return fault.Invalid("outcome.action", "must be OVERFLOW, CALLBACK or END, not %q", s.Outcome.Action)
	}
	return nil
}

// New builds a strategy to create: validated, with id (the input's own ID
// wins when set) and both times now.
func New(in Strategy, id string, now time.Time) (*Strategy, error) {
	s := in.Clone()
	if s.ID == "" {
		s.ID = id
	}
	s.CreatedAt, s.UpdatedAt = now, now
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// Update returns s replaced by next (a PUT): every field but the id and
// the creation time. Changing the conditionType is refused, naming it:
// Infobip fixes it once the strategy is created.
func (s *Strategy) Update(next Strategy, now time.Time) (*Strategy, error) {
	if next.ConditionType != s.ConditionType {
		return nil, fault.Invalid("conditionType", "cannot change from %s once created", s.ConditionType)
	}
	n := next.Clone()
	n.ID, n.CreatedAt, n.UpdatedAt = s.ID, s.CreatedAt, now
	if err := n.Validate(); err != nil {
		return nil, err
	}
	return n, nil
}

// Conflicts returns fault.ErrConflict naming the first sender or queue of
// s that another strategy of existing (by id) already names, or nil.
func Conflicts(existing []*Strategy, s *Strategy) error {
	for _, o := range existing {
		if o == nil || o.ID == s.ID || o.ConditionType != s.ConditionType {
			continue
		}
		for _, sd := range s.Condition.Senders {
			if slices.Contains(o.Condition.Senders, sd) {
				return fmt.Errorf("%w: sender %s %q already has waiting strategy %q", fault.ErrConflict, sd.ClientType, sd.Identifier, o.ID)
			}
		}
		for _, q := range s.Condition.Queues {
			if slices.Contains(o.Condition.Queues, q) {
				return fmt.Errorf("%w: queue %q already has waiting strategy %q", fault.ErrConflict, q, o.ID)
			}
		}
	}
	return nil
}
