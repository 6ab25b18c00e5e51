package waiting

import (
	"slices"
	"time"

	"github.com/parleyhq/parley/audio"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/routing"
)

// Select returns the strategy that applies to inbound call c waiting in
// queue q (nil for none; q.Default tells whether it is the default queue),
// by the ranks in the package doc; nil when none applies.
func Select(strategies []*Strategy, c *call.Call, q *routing.Queue) *Strategy {
	if c == nil || c.Direction != call.Inbound {
		return nil
	}
	var best *Strategy
	bestRank := 0
	for _, s := range strategies {
		r := rank(s, c, q)
		if r == 0 {
			continue
		}
		if best == nil || r < bestRank || (r == bestRank && older(s, best)) {
			best, bestRank = s, r
		}
	}
	return best
}

// rank is 1 for a QUEUE strategy naming c's queue, 2 for a SENDER one
// naming the number called, 3 for a QUEUE one naming "default" when c
// waits in the default queue, 0 when s does not apply.
func rank(s *Strategy, c *call.Call, q *routing.Queue) int {
	if s == nil {
		return 0
	}
	switch s.ConditionType {
	case ByQueue:
		if c.QueueID != "" && slices.Contains(s.Condition.Queues, c.QueueID) {
			return 1
		}
		if q != nil && q.Default && q.ID == c.QueueID && slices.Contains(s.Condition.Queues, DefaultQueue) {
			return 3
		}
	case BySender:
		if slices.Contains(s.Condition.Senders, Sender{ClientType: c.ClientType, Identifier: c.To}) {
			return 2
		}
	}
	return 0
}

func older(a, b *Strategy) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.Before(b.CreatedAt)
	}
	return a.ID < b.ID
}

// PromptKind names what the host is asked to play.
type PromptKind string

// The prompt kinds, after the strategy's fields and Infobip's TTS
// purposes.
const (
	Greeting             PromptKind = "GREETING_MESSAGE"
	MusicOnHold          PromptKind = "MUSIC_ON_HOLD"
	Announcement         PromptKind = "ANNOUNCEMENT_MESSAGE"
	MaximumWaitMessage   PromptKind = "MAXIMUM_WAIT_TIME_MESSAGE"
	CallbackConfirmation PromptKind = "CALLBACK_CONFIRMATION_MESSAGE"
)

// Prompt is one thing for the host to play to the caller, at At: a
// Message, or Music for MUSIC_ON_HOLD (played until the next prompt or the
// end of the wait).
type Prompt struct {
	Kind    PromptKind
	At      time.Time
	Message *audio.Message
	Music   *audio.Music
}

// Plan is what a caller entering a queue at since hears and when the
// runner must look at the call again.
type Plan struct {
	Prompts          []Prompt  // at since: the greeting, then the music, each if enabled
	NextAnnouncement time.Time // zero when no announcement is due before the maximum wait
	MaximumWaitAt    time.Time // when AtMaximumWait decides
}

// Plan returns the plan of a call that entered its queue at since.
func (s *Strategy) Plan(since time.Time) Plan {
	p := Plan{MaximumWaitAt: s.Deadline(since)}
	if s.GreetingMessage.Playable() {
		m := cloneMessage(s.GreetingMessage)
		p.Prompts = append(p.Prompts, Prompt{Kind: Greeting, At: since, Message: &m})
	}
	if s.MusicOnHold.Enabled {
		m := s.MusicOnHold
		m.File = clonePtr(m.File)
		p.Prompts = append(p.Prompts, Prompt{Kind: MusicOnHold, At: since, Music: &m})
	}
	p.NextAnnouncement, _ = s.NextAnnouncement(since, since)
	return p
}

// Deadline is when a call that entered its queue at since has waited the
// maximum.
func (s *Strategy) Deadline(since time.Time) time.Time { return since.Add(s.MaximumWaitTime.D()) }

// NextAnnouncement returns when the announcement plays next after after,
// for a call that entered its queue at since: the first since + k ×
// repeatInterval (k ≥ 1) later than after and earlier than the maximum
// wait. ok is false when none is left, or the announcement is disabled.
func (s *Strategy) NextAnnouncement(since, after time.Time) (at time.Time, ok bool) {
	a := s.AnnouncementMessage
	if !a.Enabled || a.RepeatInterval == nil {
		return time.Time{}, false
	}
	every := a.RepeatInterval.D()
	if every <= 0 {
		return time.Time{}, false
	}
	k := int64(1)
	if after.After(since) {
		k = int64(after.Sub(since)/every) + 1
	}
	at = since.Add(time.Duration(k) * every)
	if !at.Before(s.Deadline(since)) {
		return time.Time{}, false
	}
	return at, true
}

// AnnouncementPrompt is the announcement to play at at.
func (s *Strategy) AnnouncementPrompt(at time.Time) Prompt {
	m := cloneMessage(s.AnnouncementMessage.Message)
	return Prompt{Kind: Announcement, At: at, Message: &m}
}

// Callback is a caller's request to be called back instead of waiting:
// the host (or a later outbound call) dials Number.
type Callback struct {
	ConversationID string
	CallID         string
	Number         string // the caller's number: the call's From
	ClientType     call.ClientType
	QueueID        string // the queue it waited in
	Value          string // the collectable's value, for a callback asked by key press
	RequestedAt    time.Time
}

// Decision is what the runner does to a waiting call: play Prompts, then
// move it to OverflowQueueID, or end it with EndReason (call.Leave), with
// a Callback request when the caller is to be called back; IVRValue is
// handed to the host when the caller returns to its IVR. The zero
// Decision does nothing.
type Decision struct {
	Prompts         []Prompt
	OverflowQueueID string
	EndReason       call.EndReason
	Callback        *Callback
	IVRValue        string
}

// AtMaximumWait decides what happens to call c, waiting in queue q, when
// it has waited the maximum at now; see the package doc.
func (s *Strategy) AtMaximumWait(c *call.Call, q *routing.Queue, now time.Time) Decision {
	var d Decision
	if s.MaximumWaitTimeMessage.Playable() {
		m := cloneMessage(s.MaximumWaitTimeMessage)
		d.Prompts = append(d.Prompts, Prompt{Kind: MaximumWaitMessage, At: now, Message: &m})
	}
	action, target := s.Outcome.Action, s.Outcome.QueueID
	if action == "" {
		action = End
		if q != nil && q.OverflowQueueID != "" {
			action, target = Overflow, q.OverflowQueueID
		}
	}
	switch {
	case action == Overflow && target != c.QueueID:
		d.OverflowQueueID = target
	case action == CallBack:
		d.EndReason = call.CallbackRequested
		d.Callback = callbackFor(c, "", now)
	default:
		d.EndReason = call.MaximumWaitTime
	}
	return d
}

// OnCollect decides what happens when the caller of c presses code during
// the announcement at now; ok is false when the code is not one of the
// announcement's collectables (nothing happens).
func (s *Strategy) OnCollect(c *call.Call, code string, now time.Time) (d Decision, ok bool) {
	col, ok := s.AnnouncementMessage.Collect(code)
	if !ok || !s.AnnouncementMessage.Enabled {
		return Decision{}, false
	}
	switch col.Action {
	case audio.Callback:
		if s.CallbackConfirmationMessage.Playable() {
			m := cloneMessage(s.CallbackConfirmationMessage)
			d.Prompts = append(d.Prompts, Prompt{Kind: CallbackConfirmation, At: now, Message: &m})
		}
		d.EndReason = call.CallbackRequested
		d.Callback = callbackFor(c, col.Value, now)
	default:
		d.EndReason = call.ReturnedToIVR
		d.IVRValue = col.Value
	}
	return d, true
}

func callbackFor(c *call.Call, value string, now time.Time) *Callback {
	return &Callback{ConversationID: c.ConversationID, CallID: c.ID, Number: c.From, ClientType: c.ClientType,
		QueueID: c.QueueID, Value: value, RequestedAt: now}
}
