package waiting_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/audio"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/waiting"
)

var t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func sec(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	var fe *fault.FieldError
	require.True(t, errors.As(err, &fe), "want a field error naming %s, got %v", field, err)
	require.Equal(t, field, fe.Field, "%v", err)
}

func tts(text string) audio.Message {
	return audio.Message{Enabled: true, AudioSourceType: audio.TTSSource,
		TTS: &audio.TTS{Text: text, Language: "en-gb", Voice: audio.Voice{Name: "Emma", Gender: "FEMALE"}, SpeechRate: 1}}
}

// strategy is Infobip's sender example: five minutes' wait, an
// announcement every minute with a callback on 1 and the IVR on 9.
func strategy() *waiting.Strategy {
	return &waiting.Strategy{
		ID: "ws-1", Name: "Support line",
		MaximumWaitTime: audio.Duration{Unit: audio.Minutes, Value: 5},
		GreetingMessage: tts("Greetings!"),
		MusicOnHold:     audio.Music{Enabled: true, File: &audio.File{FileDescriptor: "jazz"}},
		AnnouncementMessage: audio.Announcement{
			Message:        tts("You are {{QUEUE_POSITION_DEFAULT}} in the queue."),
			RepeatInterval: &audio.Duration{Unit: audio.Minutes, Value: 1},
			Collectables: []audio.Collectable{
				{Code: "1", Action: audio.Callback, Value: "callbacks"},
				{Code: "9", Action: audio.ReturnToIVR, Value: "main-menu"},
			},
		},
		CallbackConfirmationMessage: tts("We will call you back."),
		MaximumWaitTimeMessage:      tts("Sorry, all our agents are busy."),
		ConditionType:               waiting.BySender,
		Condition:                   waiting.Condition{Senders: []waiting.Sender{{ClientType: call.PSTN, Identifier: "123456789"}, {ClientType: call.WebRTC, Identifier: "conversations"}}},
		CreatedAt:                   t0,
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	require.NoError(t, strategy().Validate())
	cases := map[string]func(s *waiting.Strategy){
		"name":                                func(s *waiting.Strategy) { s.Name = "" },
		"name ":                               func(s *waiting.Strategy) { s.Name = strings.Repeat("n", 129) },
		"maximumWaitTime":                     func(s *waiting.Strategy) { s.MaximumWaitTime = audio.Duration{} },
		"maximumWaitTime.value":               func(s *waiting.Strategy) { s.MaximumWaitTime.Value = 0 },
		"maximumWaitTime.unit":                func(s *waiting.Strategy) { s.MaximumWaitTime.Unit = "DAYS" },
		"greetingMessage.ttsAudioSource.text": func(s *waiting.Strategy) { s.GreetingMessage.TTS.Text = strings.Repeat("t", 1401) },
		"musicOnHold.fileAudioSource":         func(s *waiting.Strategy) { s.MusicOnHold.File = nil },
		"announcementMessage.repeatInterval":  func(s *waiting.Strategy) { s.AnnouncementMessage.RepeatInterval = nil },
		"announcementMessage.collectables[1].action": func(s *waiting.Strategy) {
			s.AnnouncementMessage.Collectables[1].Action = "HANG_UP"
		},
		"callbackConfirmationMessage.audioSourceType": func(s *waiting.Strategy) { s.CallbackConfirmationMessage.AudioSourceType = "" },
		"maximumWaitTimeMessage.ttsAudioSource.speechRate": func(s *waiting.Strategy) {
			s.MaximumWaitTimeMessage.TTS.SpeechRate = 3
		},
		"conditionType":                   func(s *waiting.Strategy) { s.ConditionType = "" },
		"conditionType ":                  func(s *waiting.Strategy) { s.ConditionType = "TIME" },
		"condition.senders":               func(s *waiting.Strategy) { s.Condition.Senders = nil },
		"condition.senders ":              func(s *waiting.Strategy) { s.Condition.Senders = make([]waiting.Sender, 101) },
		"condition.senders[0].clientType": func(s *waiting.Strategy) { s.Condition.Senders[0].ClientType = "FAX" },
		"condition.senders[1].identifier": func(s *waiting.Strategy) { s.Condition.Senders[1].Identifier = "" },
		"condition.senders[1]":            func(s *waiting.Strategy) { s.Condition.Senders[1] = s.Condition.Senders[0] },
		"condition.queues":                func(s *waiting.Strategy) { s.Condition.Queues = []string{"q1"} },
		"outcome.action":                  func(s *waiting.Strategy) { s.Outcome.Action = "PANIC" },
		"outcome.queueId":                 func(s *waiting.Strategy) { s.Outcome = waiting.Outcome{Action: waiting.Overflow} },
		"outcome.queueId ":                func(s *waiting.Strategy) { s.Outcome = waiting.Outcome{Action: waiting.End, QueueID: "q2"} },
	}
	for field, edit := range cases {
		s := strategy()
		edit(s)
		requireField(t, s.Validate(), strings.TrimSpace(field))
	}
	queue := func(edit func(s *waiting.Strategy)) *waiting.Strategy {
		s := strategy()
		s.ConditionType, s.Condition = waiting.ByQueue, waiting.Condition{Queues: []string{"q1", waiting.DefaultQueue}}
		edit(s)
		return s
	}
	require.NoError(t, queue(func(*waiting.Strategy) {}).Validate())
	requireField(t, queue(func(s *waiting.Strategy) { s.Condition.Queues = nil }).Validate(), "condition.queues")
	requireField(t, queue(func(s *waiting.Strategy) { s.Condition.Queues[1] = "q1" }).Validate(), "condition.queues[1]")
	requireField(t, queue(func(s *waiting.Strategy) { s.Condition.Queues[0] = "" }).Validate(), "condition.queues[0]")
	requireField(t, queue(func(s *waiting.Strategy) {
		s.Condition.Senders = []waiting.Sender{{ClientType: call.PSTN, Identifier: "1"}}
	}).Validate(), "condition.senders")
	require.NoError(t, strategy().Validate())
	s := strategy()
	s.Name = strings.Repeat("n", 128)
	s.GreetingMessage, s.MaximumWaitTimeMessage, s.CallbackConfirmationMessage = audio.Message{}, audio.Message{}, audio.Message{}
	s.MusicOnHold, s.AnnouncementMessage = audio.Music{}, audio.Announcement{}
	require.NoError(t, s.Validate(), "only name, maximumWaitTime and the condition are needed")
}

func TestNewAndUpdate(t *testing.T) {
	t.Parallel()
	in := *strategy()
	in.ID = ""
	s, err := waiting.New(in, "ws-9", sec(1))
	require.NoError(t, err)
	require.Equal(t, "ws-9", s.ID)
	require.Equal(t, sec(1), s.CreatedAt)

	bad := in
	bad.MaximumWaitTime = audio.Duration{}
	_, err = waiting.New(bad, "ws-9", sec(1))
	requireField(t, err, "maximumWaitTime")

	next := *strategy()
	next.ID, next.Name = "ignored", "Renamed"
	u, err := s.Update(next, sec(2))
	require.NoError(t, err)
	require.Equal(t, "ws-9", u.ID)
	require.Equal(t, "Renamed", u.Name)
	require.Equal(t, sec(1), u.CreatedAt)
	require.Equal(t, sec(2), u.UpdatedAt)
	require.Equal(t, "Support line", s.Name, "the old one is left as it was")

	next.ConditionType, next.Condition = waiting.ByQueue, waiting.Condition{Queues: []string{"q1"}}
	_, err = s.Update(next, sec(2))
	requireField(t, err, "conditionType")
}

func TestConflicts(t *testing.T) {
	t.Parallel()
	a := strategy()
	b := strategy()
	b.ID = "ws-2"
	b.Condition.Senders = []waiting.Sender{{ClientType: call.PSTN, Identifier: "987"}}
	require.NoError(t, waiting.Conflicts([]*waiting.Strategy{a, nil}, b))
	require.NoError(t, waiting.Conflicts([]*waiting.Strategy{a}, a), "a strategy does not conflict with itself")
	b.Condition.Senders = append(b.Condition.Senders, waiting.Sender{ClientType: call.WebRTC, Identifier: "conversations"})
	require.ErrorIs(t, waiting.Conflicts([]*waiting.Strategy{a}, b), fault.ErrConflict)
	b.Condition.Senders[1].ClientType = call.PSTN
	require.NoError(t, waiting.Conflicts([]*waiting.Strategy{a}, b), "another client type is another sender")

	q1 := strategy()
	q1.ConditionType, q1.Condition = waiting.ByQueue, waiting.Condition{Queues: []string{"q1", "default"}}
	q2 := q1.Clone()
	q2.ID, q2.Condition.Queues = "ws-3", []string{"default"}
	require.ErrorIs(t, waiting.Conflicts([]*waiting.Strategy{a, q1}, q2), fault.ErrConflict)
}

func TestSelect(t *testing.T) {
	t.Parallel()
	bySender := strategy()
	byQueue := strategy()
	byQueue.ID, byQueue.ConditionType, byQueue.Condition = "ws-q", waiting.ByQueue, waiting.Condition{Queues: []string{"q1"}}
	byDefault := strategy()
	byDefault.ID, byDefault.ConditionType, byDefault.Condition = "ws-d", waiting.ByQueue, waiting.Condition{Queues: []string{"default"}}
	olderSender := bySender.Clone()
	olderSender.ID, olderSender.CreatedAt = "ws-old", t0.Add(-time.Hour)
	sameAgeSender := bySender.Clone()
	sameAgeSender.ID = "ws-0"

	q1 := &routing.Queue{ID: "q1"}
	dq := &routing.Queue{ID: "dq", Default: true}
	c := func(queue, to string, ct call.ClientType) *call.Call {
		return &call.Call{Direction: call.Inbound, QueueID: queue, To: to, ClientType: ct, From: "385991"}
	}
	all := []*waiting.Strategy{byDefault, bySender, byQueue, nil}
	cases := []struct {
		name string
		list []*waiting.Strategy
		c    *call.Call
		q    *routing.Queue
		want *waiting.Strategy
	}{
		{"the queue's own beats the sender's", all, c("q1", "123456789", call.PSTN), q1, byQueue},
		{"the sender's beats the default queue's", all, c("dq", "123456789", call.PSTN), dq, bySender},
		{"the default queue's", all, c("dq", "555", call.PSTN), dq, byDefault},
		{"a sender needs its client type", all, c("q9", "123456789", call.WebRTC), &routing.Queue{ID: "q9"}, nil},
		{"an application", all, c("q9", "conversations", call.WebRTC), &routing.Queue{ID: "q9"}, bySender},
		{"default only for the default queue", all, c("q9", "555", call.PSTN), &routing.Queue{ID: "q9"}, nil},
		{"in no queue", all, c("", "555", call.PSTN), nil, nil},
		{"the oldest of a rank", []*waiting.Strategy{bySender, olderSender}, c("q9", "123456789", call.PSTN), nil, olderSender},
		{"then the lowest id", []*waiting.Strategy{bySender, sameAgeSender}, c("q9", "123456789", call.PSTN), nil, sameAgeSender},
		{"outbound has none", all, &call.Call{Direction: call.Outbound, To: "123456789", ClientType: call.PSTN}, nil, nil},
		{"no call", all, nil, nil, nil},
	}
	for _, tc := range cases {
		require.Same(t, tc.want, waiting.Select(tc.list, tc.c, tc.q), tc.name)
	}
}

func TestPlanAndAnnouncements(t *testing.T) {
	t.Parallel()
	s := strategy()
	p := s.Plan(t0)
	require.Len(t, p.Prompts, 2)
	require.Equal(t, waiting.Greeting, p.Prompts[0].Kind)
	require.Equal(t, "Greetings!", p.Prompts[0].Message.TTS.Text)
	require.Equal(t, waiting.MusicOnHold, p.Prompts[1].Kind)
	require.Equal(t, "jazz", p.Prompts[1].Music.File.FileDescriptor)
	require.Equal(t, sec(60), p.NextAnnouncement)
	require.Equal(t, sec(300), p.MaximumWaitAt)
	p.Prompts[0].Message.TTS.Text = "changed"
	require.Equal(t, "Greetings!", s.GreetingMessage.TTS.Text, "a plan does not alias the strategy")

	cases := []struct {
		after int
		want  int // 0: none
	}{{0, 60}, {59, 60}, {60, 120}, {61, 120}, {239, 240}, {240, 0}, {299, 0}, {1000, 0}, {-10, 60}}
	for _, tc := range cases {
		at, ok := s.NextAnnouncement(t0, sec(tc.after))
		if tc.want == 0 {
			require.False(t, ok, "after %d", tc.after)
			continue
		}
		require.True(t, ok, "after %d", tc.after)
		require.Equal(t, sec(tc.want), at, "after %d", tc.after)
	}
	require.Equal(t, waiting.Announcement, s.AnnouncementPrompt(sec(60)).Kind)

	// An interval that divides the maximum wait: nothing at the deadline.
	s.AnnouncementMessage.RepeatInterval = &audio.Duration{Unit: audio.Seconds, Value: 100}
	at, ok := s.NextAnnouncement(t0, sec(200))
	require.False(t, ok, "%s", at)

	s.AnnouncementMessage.Enabled = false
	s.GreetingMessage.Enabled = false
	s.MusicOnHold.Enabled = false
	p = s.Plan(t0)
	require.Empty(t, p.Prompts)
	require.True(t, p.NextAnnouncement.IsZero())
}

func TestAtMaximumWait(t *testing.T) {
	t.Parallel()
	c := &call.Call{ID: "call-1", ConversationID: "conv-1", Direction: call.Inbound, QueueID: "q1", From: "385991", ClientType: call.PSTN}
	withOverflow := &routing.Queue{ID: "q1", OverflowQueueID: "q2"}
	plain := &routing.Queue{ID: "q1"}
	cases := []struct {
		name     string
		outcome  waiting.Outcome
		q        *routing.Queue
		overflow string
		reason   call.EndReason
		callback bool
	}{
		{"the queue's overflow", waiting.Outcome{}, withOverflow, "q2", "", false},
		{"no overflow: end", waiting.Outcome{}, plain, "", call.MaximumWaitTime, false},
		{"no queue: end", waiting.Outcome{}, nil, "", call.MaximumWaitTime, false},
		{"the strategy's overflow", waiting.Outcome{Action: waiting.Overflow, QueueID: "q3"}, withOverflow, "q3", "", false},
		{"an overflow to its own queue ends it", waiting.Outcome{Action: waiting.Overflow, QueueID: "q1"}, plain, "", call.MaximumWaitTime, false},
		{"callback", waiting.Outcome{Action: waiting.CallBack}, withOverflow, "", call.CallbackRequested, true},
		{"end", waiting.Outcome{Action: waiting.End}, withOverflow, "", call.MaximumWaitTime, false},
	}
	for _, tc := range cases {
		s := strategy()
		s.Outcome = tc.outcome
		d := s.AtMaximumWait(c, tc.q, sec(300))
		require.Len(t, d.Prompts, 1, tc.name)
		require.Equal(t, waiting.MaximumWaitMessage, d.Prompts[0].Kind)
		require.Equal(t, sec(300), d.Prompts[0].At)
		require.Equal(t, tc.overflow, d.OverflowQueueID, tc.name)
		require.Equal(t, tc.reason, d.EndReason, tc.name)
		if tc.callback {
			require.Equal(t, &waiting.Callback{ConversationID: "conv-1", CallID: "call-1", Number: "385991", ClientType: call.PSTN, QueueID: "q1", RequestedAt: sec(300)}, d.Callback)
		} else {
			require.Nil(t, d.Callback, tc.name)
		}
	}
	s := strategy()
	s.MaximumWaitTimeMessage.Enabled = false
	require.Empty(t, s.AtMaximumWait(c, plain, sec(300)).Prompts, "a disabled message is not played")
}

func TestOnCollect(t *testing.T) {
	t.Parallel()
	c := &call.Call{ID: "call-1", ConversationID: "conv-1", Direction: call.Inbound, QueueID: "q1", From: "385991", ClientType: call.PSTN}
	s := strategy()
	d, ok := s.OnCollect(c, "1", sec(70))
	require.True(t, ok)
	require.Equal(t, call.CallbackRequested, d.EndReason)
	require.Equal(t, "callbacks", d.Callback.Value)
	require.Equal(t, waiting.CallbackConfirmation, d.Prompts[0].Kind)

	d, ok = s.OnCollect(c, "9", sec(70))
	require.True(t, ok)
	require.Equal(t, waiting.Decision{EndReason: call.ReturnedToIVR, IVRValue: "main-menu"}, d)

	_, ok = s.OnCollect(c, "5", sec(70))
	require.False(t, ok, "not a code of the announcement")
	s.AnnouncementMessage.Enabled = false
	_, ok = s.OnCollect(c, "1", sec(70))
	require.False(t, ok, "the announcement is off")
}

func TestCloneIsDeep(t *testing.T) {
	t.Parallel()
	s := strategy()
	cp := s.Clone()
	cp.GreetingMessage.TTS.Text = "x"
	cp.AnnouncementMessage.Collectables[0].Code = "x"
	cp.AnnouncementMessage.RepeatInterval.Value = 9
	cp.MusicOnHold.File.FileDescriptor = "x"
	cp.Condition.Senders[0].Identifier = "x"
	require.Equal(t, strategy(), s)
	require.Nil(t, (*waiting.Strategy)(nil).Clone())
}
