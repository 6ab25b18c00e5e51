package storagetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audio"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// transferFixture is a callFixture with agents a1, a2 and a3 and the
// inbound call of customer "1" connected to a1; it returns the call.
func (s *serviceSuite) transferFixture(t *testing.T) (*serviceFixture, *call.Call) {
	t.Helper()
	fx := s.callFixture(t, []string{"a1", "a2", "a3"})
	c := fx.inboundCall(t, "1")
	require.Equal(t, "a1", c.AgentID)
	c, err := fx.svc.AcceptCall(fx.ctx, c.ID, "a1")
	require.NoError(t, err)
	require.Equal(t, call.Connected, c.State)
	return fx, c
}

// callSnapshot is the service snapshot with every call.
type callSnapshot struct {
	serviceSnapshot
	Calls []*call.Call
}

func (fx *serviceFixture) callSnapshot(t *testing.T) callSnapshot {
	t.Helper()
	page, err := fx.svc.ListCalls(fx.ctx, storage.CallQuery{Paging: storage.Paging{Limit: storage.MaxLimit}})
	require.NoError(t, err)
	return callSnapshot{fx.snapshot(t), page.Items}
}

// requireRefused asserts that err is target and that nothing was written
// since before: no call, conversation or agent changed and no event.
func (fx *serviceFixture) requireRefused(t *testing.T, before callSnapshot, err, target error, msg string) {
	t.Helper()
	require.ErrorIs(t, err, target, msg)
	require.Equal(t, before, fx.callSnapshot(t), "%s: a refused transfer writes nothing", msg)
}

func (fx *serviceFixture) callsAvailability(t *testing.T, agentID string) routing.Ineligibility {
	t.Helper()
	av, err := fx.svc.AgentAvailability(fx.ctx, agentID)
	require.NoError(t, err)
	return av.Calls
}

func transferTTS() *audio.TTS {
	return &audio.TTS{Text: "Transferring you", Language: "en", Voice: audio.Voice{Name: "Joanna", Gender: "FEMALE"}, SpeechRate: 1}
}

var serviceTransferCases = []serviceCase{
	{"AgentTransferAnswered", func(t *testing.T, s *serviceSuite) {
		fx, c := s.transferFixture(t)
		seq := fx.lastSeq(t)
		start := fx.tick()
		tr, err := fx.svc.TransferCallToAgent(fx.ctx, c.ConversationID, "a2")
		require.NoError(t, err)
		require.Equal(t, call.Connected, tr.State)
		require.Equal(t, "a1", tr.AgentID, "the transferring agent stays on the call")
		require.Equal(t, &call.Transfer{Kind: call.ToAgent, From: "a1", FromQueue: "q", AgentID: "a2",
			StartedAt: start, Deadline: start.Add(30 * time.Second)}, tr.Transfer)
		require.Equal(t, 1, tr.Transfers)
		require.Equal(t, tr, fx.getCall(t, c.ID))
		require.Equal(t, routing.IneligibleOnCall, fx.callsAvailability(t, "a2"), "the agent the transfer rings at is taken")
		require.Equal(t, []storage.EventType{storage.CallTransferStarted}, types(fx.eventsSince(t, seq)))

		_, err = fx.svc.AcceptCallTransfer(fx.ctx, c.ID, "a3")
		require.ErrorIs(t, err, parley.ErrForbidden, "only the agent it rings at")
		answered := fx.tick()
		got, err := fx.svc.AcceptCallTransfer(fx.ctx, c.ID, "a2")
		require.NoError(t, err)
		require.Equal(t, call.Connected, got.State)
		require.Equal(t, "a2", got.AgentID)
		require.Nil(t, got.Transfer)
		conv := fx.get(t, c.ConversationID)
		require.Equal(t, "a2", conv.AgentID, "the agent who answers gets the conversation")
		a1, err := fx.svc.GetAgent(fx.ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, answered.Add(call.DefaultWrapUpSeconds*time.Second), a1.WrapUpUntil, "the transferring agent wraps up")
		events := fx.eventsSince(t, seq)
		require.Contains(t, types(events), storage.CallTransferAccepted)
		require.Contains(t, types(events), storage.ConversationTransferred)
		require.Contains(t, types(events), storage.AgentWrapUpStarted)
		_, err = fx.svc.AcceptCallTransfer(fx.ctx, c.ID, "a2")
		require.ErrorIs(t, err, call.ErrNoTransfer, "answered once")
	}},
	{"RefusedTransfersWriteNothing", func(t *testing.T, s *serviceSuite) {
		fx, c := s.transferFixture(t)
		conv := c.ConversationID
		_, err := fx.svc.CreateAgent(fx.ctx, routing.Agent{ID: "away", DisplayName: "Away", Status: routing.Active, Capacity: 5})
		require.NoError(t, err) // never sent a heartbeat
		fx.workingHours(t, "office")
		fx.autoQueue(t, "closed", func(q *routing.Queue) { q.WorkingHoursID = "office" }) // t0 is a Saturday
		fx.queue(t, "manual", "Manual")
		require.NoError(t, ignore(fx.svc.AddQueueMember(fx.ctx, "manual", "a2")))
		require.NoError(t, ignore(fx.svc.AddQueueMember(fx.ctx, "closed", "a2")))
		fx.autoQueue(t, "empty")
		require.NoError(t, ignore(fx.svc.AddQueueMember(fx.ctx, "empty", "away")))
		_, err = fx.svc.SetExternalTransferSettings(fx.ctx, parley.ExternalTransferSettings{AllowedNumbers: []string{"+385911111111"}})
		require.NoError(t, err)
		ringing := fx.inboundCall(t, "2") // rings at a2: not connected
		require.Equal(t, call.Ringing, ringing.State)
		quiet := fx.conversation(t, conversation.Conversation{ID: "no-call", Channel: conversation.Voice})

		before := fx.callSnapshot(t)
		for _, tc := range []struct {
			name   string
			err    error
			target error
		}{
			{"no live call", ignore(fx.svc.TransferCallToAgent(fx.ctx, ringing.ConversationID, "a3")), call.ErrNoLiveCall},
			{"no call at all", ignore(fx.svc.TransferCallToQueue(fx.ctx, quiet.ID, "q")), call.ErrNoLiveCall},
			{"no live call is a precondition", ignore(fx.svc.TransferCallToExternalNumber(fx.ctx, quiet.ID, "385911111111", "38511234")), parley.ErrPrecondition},
			{"unknown conversation", ignore(fx.svc.TransferCallToAgent(fx.ctx, "missing", "a2")), parley.ErrNotFound},
			{"unknown agent", ignore(fx.svc.TransferCallToAgent(fx.ctx, conv, "missing")), parley.ErrNotFound},
			{"unknown queue", ignore(fx.svc.TransferCallToQueue(fx.ctx, conv, "missing")), parley.ErrNotFound},
			{"agent without a heartbeat", ignore(fx.svc.TransferCallToAgent(fx.ctx, conv, "away")), call.ErrNotAvailable},
			{"agent ringing for a call", ignore(fx.svc.TransferCallToAgent(fx.ctx, conv, "a2")), call.ErrNotAvailable},
			{"unavailable is a conflict", ignore(fx.svc.TransferCallToAgent(fx.ctx, conv, "away")), parley.ErrConflict},
			{"queue outside working hours", ignore(fx.svc.TransferCallToQueue(fx.ctx, conv, "closed")), call.ErrNotAvailable},
			{"queue without auto-assignment", ignore(fx.svc.TransferCallToQueue(fx.ctx, conv, "manual")), call.ErrNotAvailable},
			{"queue with nobody to take it", ignore(fx.svc.TransferCallToQueue(fx.ctx, conv, "empty")), call.ErrNotAvailable},
			{"number not allowed", ignore(fx.svc.TransferCallToExternalNumber(fx.ctx, conv, "385912222222", "38511234")), call.ErrNotAvailable},
			{"to itself", ignore(fx.svc.TransferCallToAgent(fx.ctx, conv, "a1")), parley.ErrInvalid},
		} {
			fx.requireRefused(t, before, tc.err, tc.target, tc.name)
		}
		_, err = fx.svc.TransferCallToExternalNumber(fx.ctx, conv, "0911", "38511234")
		requireInvalid(t, err, "externalNumber")
		_, err = fx.svc.TransferCallToExternalNumber(fx.ctx, conv, "385911111111", "+")
		requireInvalid(t, err, "from")
		_, err = fx.svc.TransferCallToAgent(fx.ctx, conv, "")
		requireInvalid(t, err, "agentId")
		_, err = fx.svc.TransferCallToQueue(fx.ctx, "", "q")
		requireInvalid(t, err, "conversationId")
		fx.requireRefused(t, before, nil, nil, "bad input")

		// The allowed number, with or without "+", goes through.
		tr, err := fx.svc.TransferCallToExternalNumber(fx.ctx, conv, "385911111111", "+38511234")
		require.NoError(t, err)
		require.Equal(t, call.ToExternalNumber, tr.Transfer.Kind)
		require.Equal(t, fx.clock.Now().Add(call.DefaultOutboundTimeout*time.Second), tr.Transfer.Deadline, "rings for the outbound timeout")
		// One transfer at a time.
		before = fx.callSnapshot(t)
		fx.requireRefused(t, before, ignore(fx.svc.TransferCallToAgent(fx.ctx, conv, "a3")), call.ErrState, "a transfer in progress")
	}},
	{"LimitOfTransfers", func(t *testing.T, s *serviceSuite) {
		fx, c := s.transferFixture(t)
		for i := range call.MaxTransfers {
			fx.tick()
			_, err := fx.svc.TransferCallToExternalNumber(fx.ctx, c.ConversationID, "385911111111", "38511234")
			require.NoError(t, err, "transfer %d", i+1)
			back, err := fx.svc.ReturnCallTransfer(fx.ctx, c.ID)
			require.NoError(t, err)
			require.Nil(t, back.Transfer)
			require.Equal(t, "a1", back.AgentID)
		}
		before := fx.callSnapshot(t)
		_, err := fx.svc.TransferCallToAgent(fx.ctx, c.ConversationID, "a2")
		fx.requireRefused(t, before, err, call.ErrState, "the limit reached")
		require.Equal(t, call.MaxTransfers, fx.getCall(t, c.ID).Transfers)
	}},
	{"QueueTransferSkipsRefusals", func(t *testing.T, s *serviceSuite) {
		fx, c := s.transferFixture(t)
		fx.autoQueue(t, "qt")
		for _, a := range []string{"a1", "a2", "a3"} {
			require.NoError(t, ignore(fx.svc.AddQueueMember(fx.ctx, "qt", a)))
		}
		tr, err := fx.svc.TransferCallToQueue(fx.ctx, c.ConversationID, "qt")
		require.NoError(t, err)
		first := tr.Transfer.AgentID
		require.Contains(t, []string{"a2", "a3"}, first, "never the transferring agent")
		require.Equal(t, "qt", tr.Transfer.QueueID)
		fx.tick()
		tr, err = fx.svc.RejectCallTransfer(fx.ctx, c.ID, first)
		require.NoError(t, err)
		second := tr.Transfer.AgentID
		require.Contains(t, []string{"a2", "a3"}, second)
		require.NotEqual(t, first, second, "the agent that refused is skipped")
		require.Equal(t, []string{first}, tr.Transfer.Refused)
		require.Empty(t, fx.callsAvailability(t, first), "the refusing agent is free again")
		got, err := fx.svc.AcceptCallTransfer(fx.ctx, c.ID, second)
		require.NoError(t, err)
		require.Equal(t, second, got.AgentID)
		require.Equal(t, "qt", got.QueueID, "an inbound call moves to the queue")
		conv := fx.get(t, c.ConversationID)
		require.Equal(t, second, conv.AgentID)
		require.Equal(t, "qt", conv.QueueID)
	}},
	{"RingingOutReturnsToTheTransferringAgent", func(t *testing.T, s *serviceSuite) {
		fx, c := s.transferFixture(t)
		_, err := fx.svc.TransferCallToAgent(fx.ctx, c.ConversationID, "a2")
		require.NoError(t, err)
		fx.clock.Advance(29 * time.Second)
		require.Zero(t, fx.runDue(t).TransfersTimedOut, "not before the deadline")
		require.NotNil(t, fx.getCall(t, c.ID).Transfer)
		seq := fx.lastSeq(t)
		fx.clock.Advance(time.Second)
		require.Equal(t, 1, fx.runDue(t).TransfersTimedOut)
		got := fx.getCall(t, c.ID)
		require.Equal(t, call.Connected, got.State)
		require.Equal(t, "a1", got.AgentID, "back with the agent who transferred it")
		require.Nil(t, got.Transfer)
		require.Equal(t, 1, got.Transfers)
		require.Equal(t, "a1", fx.get(t, c.ConversationID).AgentID)
		require.Empty(t, fx.callsAvailability(t, "a2"))
		require.Equal(t, []storage.EventType{storage.CallTransferTimedOut}, types(fx.eventsSince(t, seq)))
		require.Zero(t, fx.runDue(t).TransfersTimedOut, "once")

		// A QUEUE transfer rings each member once, then comes back.
		fx.autoQueue(t, "qt")
		for _, a := range []string{"a2", "a3"} {
			require.NoError(t, ignore(fx.svc.AddQueueMember(fx.ctx, "qt", a)))
		}
		tr, err := fx.svc.TransferCallToQueue(fx.ctx, c.ConversationID, "qt")
		require.NoError(t, err)
		first := tr.Transfer.AgentID
		fx.clock.Advance(30 * time.Second)
		require.Equal(t, 1, fx.runDue(t).TransfersTimedOut)
		tr = fx.getCall(t, c.ID)
		require.NotEqual(t, first, tr.Transfer.AgentID)
		require.Equal(t, []string{first}, tr.Transfer.Refused)
		fx.clock.Advance(30 * time.Second)
		require.Equal(t, 1, fx.runDue(t).TransfersTimedOut)
		got = fx.getCall(t, c.ID)
		require.Nil(t, got.Transfer, "nobody left: back")
		require.Equal(t, "a1", got.AgentID)
		require.Equal(t, 2, got.Transfers)

		// An external number that does not answer: back too.
		_, err = fx.svc.TransferCallToExternalNumber(fx.ctx, c.ConversationID, "385911111111", "38511234")
		require.NoError(t, err)
		fx.clock.Advance(call.DefaultOutboundTimeout * time.Second)
		got, err = fx.svc.ExpireCall(fx.ctx, c.ID)
		require.NoError(t, err)
		require.Nil(t, got.Transfer)
		require.Equal(t, "a1", got.AgentID)
	}},
	{"ExternalNumberAnswered", func(t *testing.T, s *serviceSuite) {
		fx, c := s.transferFixture(t)
		_, err := fx.svc.TransferCallToExternalNumber(fx.ctx, c.ConversationID, "+385911111111", "38511234")
		require.NoError(t, err)
		_, err = fx.svc.AcceptCallTransfer(fx.ctx, c.ID, "a2")
		require.ErrorIs(t, err, call.ErrState, "no agent answers an external transfer")
		end := fx.tick()
		got, err := fx.svc.AnswerCallTransfer(fx.ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, call.Ended, got.State)
		require.Equal(t, call.Transferred, got.EndReason)
		a1, err := fx.svc.GetAgent(fx.ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, end.Add(call.DefaultWrapUpSeconds*time.Second), a1.WrapUpUntil)
		_, err = fx.svc.TransferCallToAgent(fx.ctx, c.ConversationID, "a2")
		require.ErrorIs(t, err, call.ErrNoLiveCall, "the call left the contact centre")
	}},
	{"TransferSettings", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		x, err := fx.svc.ExternalTransferSettings(fx.ctx)
		require.NoError(t, err)
		require.Equal(t, parley.ExternalTransferSettings{ExternalTransferConfig: call.DefaultExternalTransferConfig()}, x, "none saved: any number")
		def, err := fx.svc.TransferStrategy(fx.ctx)
		require.NoError(t, err)
		require.Equal(t, call.DefaultTransferStrategy(), *def, "none saved")

		before := fx.snapshot(t)
		_, err = fx.svc.SetExternalTransferSettings(fx.ctx, parley.ExternalTransferSettings{AllowedNumbers: []string{"+38591", "12x"}})
		requireInvalid(t, err, "allowedNumbers[1]")
		_, err = fx.svc.SetExternalTransferSettings(fx.ctx, parley.ExternalTransferSettings{AllowedNumbers: []string{"+38591", "38591"}})
		requireInvalid(t, err, "allowedNumbers[1]")
		_, err = fx.svc.SetExternalTransferSettings(fx.ctx, parley.ExternalTransferSettings{AllowedNumbers: make([]string, parley.MaxAllowedTransferNumbers+1)})
		requireInvalid(t, err, "allowedNumbers")
		bad := call.TransferStrategy{AnnouncementMessage: audio.Announcement{Message: audio.Message{Enabled: true, AudioSourceType: audio.TTSSource, TTS: transferTTS()}}}
		_, err = fx.svc.SetTransferStrategy(fx.ctx, bad)
		requireInvalid(t, err, "announcementMessage.repeatInterval")
		bad.AnnouncementMessage.RepeatInterval = &audio.Duration{Unit: audio.Seconds, Value: 5}
		bad.AnnouncementMessage.Collectables = []audio.Collectable{{Code: "1", Action: audio.Callback, Value: "x"}}
		_, err = fx.svc.SetTransferStrategy(fx.ctx, bad)
		requireInvalid(t, err, "announcementMessage.collectables")
		_, err = fx.svc.SetTransferStrategy(fx.ctx, call.TransferStrategy{MusicOnHold: audio.Music{Enabled: true}})
		requireInvalid(t, err, "musicOnHold.fileAudioSource")
		fx.requireUnchanged(t, before)

		first := fx.tick()
		x, err = fx.svc.SetExternalTransferSettings(fx.ctx, parley.ExternalTransferSettings{AllowedNumbers: []string{"+38591"}})
		require.NoError(t, err)
		require.False(t, x.TransferToAnyNumberEnabled)
		require.Equal(t, first, x.CreatedAt)
		second := fx.tick()
		x.TransferToAnyNumberEnabled = true
		x, err = fx.svc.SetExternalTransferSettings(fx.ctx, x)
		require.NoError(t, err)
		require.Equal(t, first, x.CreatedAt, "kept from the first save")
		require.Equal(t, second, x.UpdatedAt)
		got, err := fx.svc.ExternalTransferSettings(fx.ctx)
		require.NoError(t, err)
		require.Equal(t, x, got)

		ts := call.TransferStrategy{
			MusicOnHold: audio.Music{Enabled: true, File: &audio.File{FileDescriptor: "f829e911"}},
			AnnouncementMessage: audio.Announcement{Message: audio.Message{Enabled: true, AudioSourceType: audio.TTSSource, TTS: transferTTS()},
				RepeatInterval: &audio.Duration{Unit: audio.Seconds, Value: 5}},
		}
		saved, err := fx.svc.SetTransferStrategy(fx.ctx, ts)
		require.NoError(t, err)
		require.NotEmpty(t, saved.ID)
		require.Equal(t, second, saved.CreatedAt)
		read, err := fx.svc.TransferStrategy(fx.ctx)
		require.NoError(t, err)
		require.Equal(t, saved, read)
		third := fx.tick()
		ts.ID = "ignored"
		ts.MusicOnHold = audio.Music{Enabled: true, UseDefault: true}
		again, err := fx.svc.SetTransferStrategy(fx.ctx, ts)
		require.NoError(t, err)
		require.Equal(t, saved.ID, again.ID, "the id is kept")
		require.Equal(t, second, again.CreatedAt)
		require.Equal(t, third, again.UpdatedAt)
		require.True(t, again.MusicOnHold.UseDefault)
		events := fx.events(t)
		n := 0
		for _, e := range events {
			if e.Type == storage.SettingsUpdated {
				n++
			}
		}
		require.Equal(t, 4, n, "an event per save")
	}},
	{"RungAgentTakesNoOtherCall", func(t *testing.T, s *serviceSuite) {
		fx, c := s.transferFixture(t)
		_, err := fx.svc.TransferCallToAgent(fx.ctx, c.ConversationID, "a2")
		require.NoError(t, err)
		other := fx.inboundCall(t, "2")
		require.Equal(t, "a3", other.AgentID, "the agent a transfer rings at is not offered a call")
		_, err = fx.svc.TransferCallToAgent(fx.ctx, other.ConversationID, "a2")
		require.ErrorIs(t, err, call.ErrNoLiveCall, "the other call is not connected yet")
		other, err = fx.svc.AcceptCall(fx.ctx, other.ID, "a3")
		require.NoError(t, err)
		_, err = fx.svc.TransferCallToAgent(fx.ctx, other.ConversationID, "a2")
		require.ErrorIs(t, err, call.ErrNotAvailable, "nor rung by a second transfer")

		// The customer hangs up under the transfer: it is given up, its
		// agent free again, and the transferring agent wraps up.
		end := fx.tick()
		got, err := fx.svc.HangUpCall(fx.ctx, c.ID, call.Customer)
		require.NoError(t, err)
		require.Equal(t, call.Ended, got.State)
		require.Nil(t, got.Transfer)
		require.Empty(t, fx.callsAvailability(t, "a2"))
		a1, err := fx.svc.GetAgent(fx.ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, end.Add(call.DefaultWrapUpSeconds*time.Second), a1.WrapUpUntil)
		_, err = fx.svc.AcceptCallTransfer(fx.ctx, c.ID, "a2")
		require.ErrorIs(t, err, call.ErrNoTransfer)
		fx.clock.Advance(time.Minute)
		require.Zero(t, fx.runDue(t).TransfersTimedOut, "nothing left to ring out")
	}},
	{"TwoTransfersAtOnce", func(t *testing.T, s *serviceSuite) {
		fx, c := s.transferFixture(t)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, do := range []func() error{
			func() error { return ignore(fx.svc.TransferCallToAgent(fx.ctx, c.ConversationID, "a2")) },
			func() error {
				return ignore(fx.svc.TransferCallToExternalNumber(fx.ctx, c.ConversationID, "385911111111", "38511234"))
			},
		} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = do()
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			require.True(t, errors.Is(err, parley.ErrConflict), "the loser conflicts: %v", err)
		}
		require.Equal(t, 1, ok, "one transfer wins")
		got := fx.getCall(t, c.ID)
		require.NotNil(t, got.Transfer)
		require.Equal(t, 1, got.Transfers)
	}},
}

// The transfer operations in the authorization suite, with what they
// need: the call call-xfer of conversation conv-xfer connected to t1,
// agent t2 present in queue qx, and per operation a transfer in progress
// or a saved setting.
func init() {
	ops := map[string]operation{
		"TransferCallToAgent": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.TransferCallToAgent(ctx, "conv-xfer", "t2"))
		}},
		"TransferCallToQueue": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.TransferCallToQueue(ctx, "conv-xfer", "qx"))
		}},
		"TransferCallToExternalNumber": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.TransferCallToExternalNumber(ctx, "conv-xfer", "385911111111", "38511234"))
		}},
		"AcceptCallTransfer": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.AcceptCallTransfer(ctx, "call-xfer", "t2"))
		}},
		"RejectCallTransfer": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.RejectCallTransfer(ctx, "call-xfer", "t2"))
		}},
		"AnswerCallTransfer": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.AnswerCallTransfer(ctx, "call-xfer"))
		}},
		"ReturnCallTransfer": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.ReturnCallTransfer(ctx, "call-xfer"))
		}},
		"ExternalTransferSettings": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.ExternalTransferSettings(ctx))
		}},
		"SetExternalTransferSettings": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.SetExternalTransferSettings(ctx, parley.ExternalTransferSettings{}))
		}},
		"TransferStrategy": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.TransferStrategy(ctx))
		}},
		"SetTransferStrategy": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.SetTransferStrategy(ctx, call.TransferStrategy{}))
		}},
	}
	for name, op := range ops {
		operations[name] = op
	}
	for _, name := range []string{"TransferCallToAgent", "TransferCallToQueue", "TransferCallToExternalNumber"} {
		operationSetUp[name] = transferAuthFixture
	}
	for _, name := range []string{"AcceptCallTransfer", "RejectCallTransfer"} {
		operationSetUp[name] = func(t *testing.T, fx *serviceFixture) {
			t.Helper()
			transferAuthFixture(t, fx)
			require.NoError(t, ignore(fx.svc.TransferCallToAgent(fx.ctx, "conv-xfer", "t2")))
		}
	}
	for _, name := range []string{"AnswerCallTransfer", "ReturnCallTransfer"} {
		operationSetUp[name] = func(t *testing.T, fx *serviceFixture) {
			t.Helper()
			transferAuthFixture(t, fx)
			require.NoError(t, ignore(fx.svc.TransferCallToExternalNumber(fx.ctx, "conv-xfer", "385911111111", "38511234")))
		}
	}
	operationSetUp["ExternalTransferSettings"] = func(t *testing.T, fx *serviceFixture) {
		t.Helper()
		require.NoError(t, ignore(fx.svc.SetExternalTransferSettings(fx.ctx, parley.ExternalTransferSettings{})))
	}
	operationSetUp["TransferStrategy"] = func(t *testing.T, fx *serviceFixture) {
		t.Helper()
		require.NoError(t, ignore(fx.svc.SetTransferStrategy(fx.ctx, call.TransferStrategy{})))
	}
}

// transferAuthFixture adds to authFixture the voice conversation
// conv-xfer of customer k1 with call call-xfer connected to t1, and t2,
// present, in the default queue qx with t1.
func transferAuthFixture(t *testing.T, fx *serviceFixture) {
	t.Helper()
	ctx := fx.ctx
	_, err := fx.svc.CreateQueue(ctx, routing.Queue{ID: "qx", Name: "Transfers", Default: true, AutoAssignment: true})
	require.NoError(t, err)
	for _, a := range []string{"t1", "t2"} {
		_, err := fx.svc.CreateAgent(ctx, routing.Agent{ID: a, DisplayName: a, Status: routing.Active, Capacity: 5})
		require.NoError(t, err)
		require.NoError(t, ignore(fx.svc.AddQueueMember(ctx, "qx", a)))
		require.NoError(t, fx.svc.Heartbeat(ctx, a))
	}
	_, err = fx.svc.CreateConversation(ctx, conversation.Conversation{ID: "conv-xfer", CustomerID: "k1", Channel: conversation.Voice})
	require.NoError(t, err)
	in, err := fx.svc.ReceiveCall(ctx, parley.InboundCall{ID: "call-xfer", CustomerID: "k1", From: "+1", To: "+2"})
	require.NoError(t, err)
	require.Equal(t, "conv-xfer", in.ConversationID)
	_, err = fx.svc.AcceptCall(ctx, "call-xfer", in.AgentID)
	require.NoError(t, err)
	if in.AgentID == "t2" {
		// Rung at t2 first: the transfers go the other way round.
		t.Fatalf("the call rang at t2, not t1")
	}
}
