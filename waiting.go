package parley

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/audio"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/waiting"
)

// CreateWaitingStrategy creates a waiting strategy (Infobip's POST
// /ccaas/voice/2/waiting-strategies): what callers hear while they wait
// in a queue, how long they may wait and what happens then (package
// waiting). Every field is checked (waiting.Strategy.Validate). A sender or
// queue that another strategy already names is ErrConflict: the check
// runs under the strategies' key lock, and the store keeps it too, so two
// instances creating overlapping strategies at once cannot both succeed.
// A caller-supplied id that exists is ErrAlreadyExists.
//
// The queues a condition names, and an OVERFLOW outcome's queue, are not
// checked against the queues that exist: a contact centre may set up a
// strategy before its queue. A call whose overflow queue does not exist
// when it reaches its maximum wait ends with MAXIMUM_WAIT_TIME.
func (s *Service) CreateWaitingStrategy(ctx context.Context, in waiting.Strategy) (*waiting.Strategy, error) {
	if err := s.authorize(ctx, "CreateWaitingStrategy"); err != nil {
		return nil, err
	}
	probe, err := waiting.New(in, s.newID(), s.clock())
	if err != nil {
		return nil, err
	}
	var out *waiting.Strategy
	err = s.run(ctx, "CreateWaitingStrategy", func(tx storage.Tx, rec *recorder) error {
		st := probe.Clone()
		st.CreatedAt, st.UpdatedAt = rec.now, rec.now
		if err := s.checkStrategyClaims(ctx, tx, st); err != nil {
			return err
		}
		if err := tx.CreateWaitingStrategy(ctx, st); err != nil {
			return strategyConflict(err, st.ID)
		}
		rec.add(storage.WaitingStrategyCreated, "", st.ID, []storage.Change{
			change("name", nil, st.Name), change("conditionType", nil, string(st.ConditionType)),
		})
		out = st
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetWaitingStrategy returns the waiting strategy. ErrNotFound when there
// is none with that id.
func (s *Service) GetWaitingStrategy(ctx context.Context, id string) (*waiting.Strategy, error) {
	return read(s, ctx, "GetWaitingStrategy", func() (*waiting.Strategy, error) {
		if err := checkID("id", id); err != nil {
			return nil, err
		}
		return s.store.GetWaitingStrategy(ctx, id)
	})
}

// ListWaitingStrategies returns a page of the waiting strategies, as
// waiting.ListParams describes: filtered by queueId, sorted by CREATED_AT
// (default) or NAME, DESC by default, 0-based pages.
func (s *Service) ListWaitingStrategies(ctx context.Context, p waiting.ListParams) (storage.WaitingStrategyPage, error) {
	return read(s, ctx, "ListWaitingStrategies", func() (storage.WaitingStrategyPage, error) {
		p, err := p.Normalize()
		if err != nil {
			return storage.WaitingStrategyPage{}, err
		}
		if p.QueueID != "" {
			if err := checkID("queueId", p.QueueID); err != nil {
				return storage.WaitingStrategyPage{}, err
			}
		}
		return s.store.ListWaitingStrategies(ctx, p)
	})
}

// UpdateWaitingStrategy replaces every field of the waiting strategy but
// its id and creation time (Infobip's PUT). Its conditionType is fixed
// once created: a change is ErrInvalid naming conditionType. Conflicts
// are CreateWaitingStrategy's. Calls already waiting follow the new
// strategy from their next step on.
func (s *Service) UpdateWaitingStrategy(ctx context.Context, id string, in waiting.Strategy) (*waiting.Strategy, error) {
	if err := s.authorize(ctx, "UpdateWaitingStrategy"); err != nil {
		return nil, err
	}
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	probe := in.Clone()
	probe.ID = id
	if err := probe.Validate(); err != nil {
		return nil, err
	}
	var out *waiting.Strategy
	err := s.run(ctx, "UpdateWaitingStrategy", func(tx storage.Tx, rec *recorder) error {
		if err := tx.LockKey(ctx, storage.WaitingStrategyKey); err != nil {
			return err
		}
		old, err := tx.GetWaitingStrategy(ctx, id)
		if err != nil {
			return err
		}
		st, err := old.Update(in, rec.now)
		if err != nil {
			return err
		}
		if err := s.checkStrategyClaims(ctx, tx, st); err != nil {
			return err
		}
		if err := tx.UpdateWaitingStrategy(ctx, st); err != nil {
			return strategyConflict(err, st.ID)
		}
		rec.add(storage.WaitingStrategyUpdated, "", st.ID, []storage.Change{change("name", old.Name, st.Name)})
		out = st
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteWaitingStrategy deletes the waiting strategy. Calls waiting under
// it stop following it (their next step finds it gone).
func (s *Service) DeleteWaitingStrategy(ctx context.Context, id string) error {
	if err := s.authorize(ctx, "DeleteWaitingStrategy"); err != nil {
		return err
	}
	if err := checkID("id", id); err != nil {
		return err
	}
	return s.run(ctx, "DeleteWaitingStrategy", func(tx storage.Tx, rec *recorder) error {
		if err := tx.LockKey(ctx, storage.WaitingStrategyKey); err != nil {
			return err
		}
		if err := tx.DeleteWaitingStrategy(ctx, id); err != nil {
			return err
		}
		rec.add(storage.WaitingStrategyDeleted, "", id, nil)
		return nil
	})
}

// checkStrategyClaims takes the strategies' key lock and refuses st when
// another strategy names one of its senders or queues (ErrConflict naming
// it).
func (s *Service) checkStrategyClaims(ctx context.Context, tx storage.Tx, st *waiting.Strategy) error {
	if err := tx.LockKey(ctx, storage.WaitingStrategyKey); err != nil {
		return err
	}
	existing, err := tx.ClaimingWaitingStrategies(ctx, st.Condition.Senders, st.Condition.Queues)
	if err != nil {
		return err
	}
	return waiting.Conflicts(existing, st)
}

// strategyConflict words the store's ErrConflict (a claim taken, which the
// key lock makes unlikely) without the store's wording.
func strategyConflict(err error, id string) error {
	if errors.Is(err, fault.ErrConflict) {
		return fmt.Errorf("a sender or queue of waiting strategy %q has another waiting strategy: %w", id, fault.ErrConflict)
	}
	return err
}

// WaitingStrategyFor returns the waiting strategy that applies to the
// call now (waiting.Select), nil when none does.
func (s *Service) WaitingStrategyFor(ctx context.Context, callID string) (*waiting.Strategy, error) {
	return read(s, ctx, "WaitingStrategyFor", func() (*waiting.Strategy, error) {
		if err := checkID("callId", callID); err != nil {
			return nil, err
		}
		c, err := s.store.GetCall(ctx, callID)
		if err != nil {
			return nil, err
		}
		st, _, err := selectStrategy(ctx, s.store, c)
		return st, err
	})
}

// selectStrategy returns the strategy that applies to inbound call c and
// c's queue (nil when it waits in none).
func selectStrategy(ctx context.Context, r storage.Reader, c *call.Call) (*waiting.Strategy, *routing.Queue, error) {
	if c.Direction != call.Inbound {
		return nil, nil, nil
	}
	// The strategies that may apply first, and the queue (whether it is
	// the default one) only when there are any: a call no strategy names
	// costs one read.
	var queues []string
	if c.QueueID != "" {
		queues = []string{c.QueueID, waiting.DefaultQueue}
	}
	cands, err := r.ClaimingWaitingStrategies(ctx, []waiting.Sender{{ClientType: c.ClientType, Identifier: c.To}}, queues)
	if err != nil || len(cands) == 0 {
		return nil, nil, err
	}
	var q *routing.Queue
	if c.QueueID != "" {
		if q, err = r.GetQueue(ctx, c.QueueID); err != nil && !errors.Is(err, fault.ErrNotFound) {
			return nil, nil, err
		}
	}
	return waiting.Select(cands, c, q), q, nil
}

// waiting reports whether c is waiting for an agent: QUEUED, or RINGING
// (the caller still waits while an offer rings).
func isWaiting(c *call.Call) bool { return c.State == call.Queued || c.State == call.Ringing }

// startWait starts the wait of inbound call c in its current queue at
// now, under the strategy that applies: the greeting and the music are
// asked for (call.prompt events) and the call's next step is stored for
// the runner. A call no strategy applies to has no wait (a fresh call has
// none to drop).
func (s *Service) startWait(ctx context.Context, tx storage.Tx, rec *recorder, c *call.Call, fresh bool) error {
	drop := func() error {
		if fresh {
			return nil
		}
		_, err := tx.DeleteCallWait(ctx, c.ID)
		return err
	}
	if !isWaiting(c) {
		return drop()
	}
	st, _, err := selectStrategy(ctx, tx, c)
	if err != nil {
		return err
	}
	if st == nil {
		return drop()
	}
	plan := st.Plan(rec.now)
	for _, p := range plan.Prompts {
		rec.prompt(c, st.ID, p)
	}
	return tx.PutCallWait(ctx, waitOf(c, st, rec.now, plan.NextAnnouncement))
}

// waitOf is the wait of c under st since since, next announcement at next
// (zero for none).
func waitOf(c *call.Call, st *waiting.Strategy, since, next time.Time) *storage.CallWait {
	w := &storage.CallWait{CallID: c.ID, QueueID: c.QueueID, StrategyID: st.ID, Since: since,
		NextAnnouncement: next, MaximumWaitAt: st.Deadline(since)}
	w.Due = w.MaximumWaitAt
	if !next.IsZero() && next.Before(w.Due) {
		w.Due = next
	}
	return w
}

// WaitReport counts what the runner did to waiting calls.
type WaitReport struct {
	Announcements int // announcements asked for
	Overflowed    int // calls moved to an overflow queue at their maximum wait
	Ended         int // calls ended at their maximum wait (a callback request or MAXIMUM_WAIT_TIME)
}

// RunWaits does, at the service's clock, what the waiting strategies of
// queued calls say is due: each announcement (a call.prompt event), and at
// the maximum wait the maximumWaitTimeMessage and the outcome (overflow,
// callback request or end; see waiting.Strategy.AtMaximumWait). Like
// RunDue, which calls it, each call is handled in a transaction of its own
// that locks it and checks it again, so several runners handle each step
// once. A call that connects or ends keeps its stored wait until its next
// step, which drops it without playing anything; one moved to another
// queue by other means starts its wait anew there; one whose strategy
// was deleted stops following it.
func (s *Service) RunWaits(ctx context.Context) (WaitReport, error) {
	if err := s.authorize(ctx, "RunWaits"); err != nil {
		return WaitReport{}, err
	}
	return s.runWaits(ctx)
}

// runWaits is RunWaits without the authorisation, for RunDue.
func (s *Service) runWaits(ctx context.Context) (WaitReport, error) {
	var r WaitReport
	due, err := s.store.DueCallWaits(ctx, s.clock(), runBatch)
	if err != nil {
		return r, err
	}
	for _, w := range due {
		err := s.run(ctx, "RunWaits", func(tx storage.Tx, rec *recorder) error {
			return s.stepWait(ctx, tx, rec, w.CallID, &r)
		})
		if err := s.passError(ctx, "waiting strategy step", w.CallID, err); err != nil {
			return r, err
		}
	}
	return r, nil
}

// stepWait takes the due step of the call's wait, under the call's lock.
func (s *Service) stepWait(ctx context.Context, tx storage.Tx, rec *recorder, callID string, r *WaitReport) error {
	c, err := tx.LockCall(ctx, callID)
	if errors.Is(err, fault.ErrNotFound) {
		_, err = tx.DeleteCallWait(ctx, callID)
		return err
	}
	if err != nil {
		return err
	}
	w, err := tx.GetCallWait(ctx, callID)
	if errors.Is(err, fault.ErrNotFound) {
		return nil // another runner finished it
	}
	if err != nil {
		return err
	}
	now := rec.now
	if w.Due.After(now) {
		return nil // another runner took this step
	}
	if !isWaiting(c) {
		_, err := tx.DeleteCallWait(ctx, callID)
		return err
	}
	if c.QueueID != w.QueueID {
		// Moved by other means: its wait starts anew in its queue.
		return s.startWait(ctx, tx, rec, c, false)
	}
	st, err := tx.GetWaitingStrategy(ctx, w.StrategyID)
	if errors.Is(err, fault.ErrNotFound) {
		_, err = tx.DeleteCallWait(ctx, callID)
		return err
	}
	if err != nil {
		return err
	}
	if !now.Before(st.Deadline(w.Since)) {
		return s.atMaximumWait(ctx, tx, rec, c, st, r)
	}
	if !w.NextAnnouncement.IsZero() && !w.NextAnnouncement.After(now) {
		rec.prompt(c, st.ID, st.AnnouncementPrompt(now))
		r.Announcements++
	}
	next, _ := st.NextAnnouncement(w.Since, now)
	return tx.PutCallWait(ctx, waitOf(c, st, w.Since, next))
}

// atMaximumWait applies st's decision for c at its maximum wait.
func (s *Service) atMaximumWait(ctx context.Context, tx storage.Tx, rec *recorder, c *call.Call, st *waiting.Strategy, r *WaitReport) error {
	var q *routing.Queue
	if c.QueueID != "" {
		var err error
		if q, err = tx.GetQueue(ctx, c.QueueID); err != nil && !errors.Is(err, fault.ErrNotFound) {
			return err
		}
	}
	d := st.AtMaximumWait(c, q, rec.now)
	if d.OverflowQueueID != "" {
		if _, err := tx.GetQueue(ctx, d.OverflowQueueID); errors.Is(err, fault.ErrNotFound) {
			// The overflow queue is gone: the call cannot overflow.
			d.OverflowQueueID, d.EndReason = "", call.MaximumWaitTime
		} else if err != nil {
			return err
		}
	}
	for _, p := range d.Prompts {
		rec.prompt(c, st.ID, p)
	}
	if d.OverflowQueueID != "" {
		n, ch, err := c.MoveToQueue(d.OverflowQueueID, rec.now)
		if err != nil {
			return err
		}
		after, err := s.applyCallChange(ctx, tx, rec, c, n, ch, nil)
		if err != nil {
			return err
		}
		r.Overflowed++
		return s.startWait(ctx, tx, rec, after, false)
	}
	r.Ended++
	return s.leaveQueue(ctx, tx, rec, c, d)
}

// leaveQueue ends c as decision d says, with the callback request or the
// return to the IVR it carries, and drops its wait.
func (s *Service) leaveQueue(ctx context.Context, tx storage.Tx, rec *recorder, c *call.Call, d waiting.Decision) error {
	n, ch, err := c.Leave(d.EndReason, rec.now)
	if err != nil {
		return err
	}
	if _, err := s.applyCallChange(ctx, tx, rec, c, n, ch, nil); err != nil {
		return err
	}
	if cb := d.Callback; cb != nil {
		rec.add(storage.CallCallbackRequested, c.ConversationID, c.ID, []storage.Change{
			change("number", nil, cb.Number), change("clientType", nil, string(cb.ClientType)),
			change("queueId", nil, cb.QueueID), change("value", nil, cb.Value),
			change("requestedAt", nil, cb.RequestedAt),
		})
	}
	if d.EndReason == call.ReturnedToIVR {
		rec.add(storage.CallReturnedToIVR, c.ConversationID, c.ID, []storage.Change{change("value", nil, d.IVRValue)})
	}
	_, err = tx.DeleteCallWait(ctx, c.ID)
	return err
}

// CollectWaitingInput is what the host reports when the caller of a
// waiting call presses keys (code) during its announcement: the
// collectable of that code acts (waiting.Strategy.OnCollect): CALLBACK
// plays the callbackConfirmationMessage and ends the call with
// CALLBACK_REQUESTED and a callback request (call.callback_requested);
// RETURN_TO_IVR ends it with RETURNED_TO_IVR (call.returned_to_ivr, with
// the collectable's value). A call that waits under no strategy is
// ErrConflict; a code that is no collectable of its announcement is
// ErrInvalid naming code.
func (s *Service) CollectWaitingInput(ctx context.Context, callID, code string) (*call.Call, error) {
	if err := s.authorize(ctx, "CollectWaitingInput"); err != nil {
		return nil, err
	}
	if err := checkID("callId", callID); err != nil {
		return nil, err
	}
	if err := fault.Identifier("code", code, audio.MaxCodeLen); err != nil {
		return nil, err
	}
	var out *call.Call
	err := s.run(ctx, "CollectWaitingInput", func(tx storage.Tx, rec *recorder) error {
		c, err := tx.LockCall(ctx, callID)
		if err != nil {
			return err
		}
		w, err := tx.GetCallWait(ctx, callID)
		if errors.Is(err, fault.ErrNotFound) || (err == nil && !isWaiting(c)) {
			return fmt.Errorf("call %q is not waiting under a waiting strategy: %w", callID, fault.ErrConflict)
		}
		if err != nil {
			return err
		}
		st, err := tx.GetWaitingStrategy(ctx, w.StrategyID)
		if errors.Is(err, fault.ErrNotFound) {
			return fmt.Errorf("call %q is not waiting under a waiting strategy: %w", callID, fault.ErrConflict)
		}
		if err != nil {
			return err
		}
		d, ok := st.OnCollect(c, code, rec.now)
		if !ok {
			return fault.Invalid("code", "is not a collectable of the announcement")
		}
		for _, p := range d.Prompts {
			rec.prompt(c, st.ID, p)
		}
		if err := s.leaveQueue(ctx, tx, rec, c, d); err != nil {
			return err
		}
		out, err = tx.GetCall(ctx, callID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// prompt records a call.prompt event asking the host to play p to c's
// caller.
func (r *recorder) prompt(c *call.Call, strategyID string, p waiting.Prompt) {
	changes := []storage.Change{
		change("kind", nil, string(p.Kind)), change("strategyId", nil, strategyID), change("at", nil, p.At),
	}
	if p.Message != nil {
		changes = append(changes, change("message", nil, promptMessageValue(*p.Message)))
	}
	if p.Music != nil {
		changes = append(changes, change("music", nil, promptMusicValue(*p.Music)))
	}
	r.add(storage.CallPrompt, c.ConversationID, c.ID, changes)
}

// promptMessageValue is m in Infobip's wire shape
// (OptionWithFileOrTtsAudioSourceApiModel), as events and the HTTP adapter
// write it.
func promptMessageValue(m audio.Message) map[string]any {
	out := map[string]any{"enabled": m.Enabled, "audioSourceType": nil, "ttsAudioSource": nil, "fileAudioSource": nil}
	if m.AudioSourceType != "" {
		out["audioSourceType"] = string(m.AudioSourceType)
	}
	if t := m.TTS; t != nil {
		out["ttsAudioSource"] = map[string]any{
			"text": t.Text, "language": t.Language, "isLanguageSelectedManually": t.IsLanguageSelectedManually,
			"voice": map[string]any{"name": t.Voice.Name, "gender": t.Voice.Gender}, "speechRate": t.SpeechRate,
		}
	}
	if m.File != nil {
		out["fileAudioSource"] = map[string]any{"fileDescriptor": m.File.FileDescriptor}
	}
	return out
}

// promptMusicValue is m in Infobip's wire shape
// (FileAudioSourceWithDefaultOptionApiModel).
func promptMusicValue(m audio.Music) map[string]any {
	out := map[string]any{"enabled": m.Enabled, "useDefault": m.UseDefault, "fileAudioSource": nil}
	if m.File != nil {
		out["fileAudioSource"] = map[string]any{"fileDescriptor": m.File.FileDescriptor}
	}
	return out
}
