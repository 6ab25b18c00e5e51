package conversation_test

import (
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
)

// The validation rules of the package doc, restated independently of the
// package's code, as the oracle of the fuzz targets.

func textOK(s string, max int) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0) && utf8.RuneCountInString(s) <= max
}

func idOK(s string) bool {
	return s != "" && textOK(s, 255) && !strings.ContainsFunc(s, unicode.IsControl)
}

func optionalIDOK(s string) bool { return s == "" || idOK(s) }

// attributesBad lists the fields an attribute map is refused for: the map
// as a whole ("attributes") or one value ("attributes.<key>").
func attributesBad(attrs map[string]string) map[string]bool {
	bad := map[string]bool{}
	if len(attrs) > 50 {
		bad["attributes"] = true
	}
	for k, v := range attrs {
		if k == "" || !textOK(k, 100) {
			bad["attributes"] = true
		}
		if !textOK(v, 1000) {
			bad["attributes."+k] = true
		}
	}
	return bad
}

// split turns a fuzzed string into a list: values separated by ','.
func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// pairs turns a fuzzed string into a map of "k=v" items separated by ','.
func pairs(s string) map[string]string {
	m := map[string]string{}
	for _, item := range split(s) {
		k, v, _ := strings.Cut(item, "=")
		m[k] = v
	}
	return m
}

// requireFieldError fails unless err is an ErrInvalid *FieldError naming
// one of the fields in bad.
func requireFieldError(t *testing.T, err error, bad map[string]bool) {
	t.Helper()
	var fe *fault.FieldError
	if !errors.Is(err, fault.ErrInvalid) || !errors.As(err, &fe) {
		t.Fatalf("want an ErrInvalid *FieldError, got %T: %v", err, err)
	}
	if !bad[fe.Field] {
		t.Fatalf("the error names %q, which is valid; the bad fields are %v (%v)", fe.Field, bad, err)
	}
}

var fuzzNow = time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC)

// FuzzNew builds conversations from arbitrary input. New never panics; it
// accepts exactly the input the rules allow, applying the defaults and
// keeping every given field as it is; and it refuses the rest with an
// ErrInvalid naming a field that is in fact wrong.
func FuzzNew(f *testing.F) {
	f.Add("", "Refund", "", "", "", "", "", "", "", "", uint16(0))
	f.Add("c-1", "topic", "summary", "WAITING", "URGENT", "WHATSAPP", "q1", "a1", "cust", "lang=de,tier=gold", uint16(0))
	f.Add("x'; DROP TABLE conversations; --", "' OR 1=1 --", "\"; DELETE FROM events; --", "CLOSED", "LOW", "EMAIL", "q'1", "a\"1", "1 OR 1=1", "k'=v'", uint16(3))
	f.Add("c\x00", "a\x00b", "\xff", "open", "medium", "chat", "\x00", "a\n1", "\xfe", "=v", uint16(0))
	f.Add("é", "é", "", "", "", "PIGEON", "", "", "", "k=\x00", uint16(1000))
	f.Add("id", "", "", "DONE", "CRITICAL", "", "", "", "", "k=v,k2=v2", uint16(1001))
	f.Fuzz(func(t *testing.T, id, topic, summary, status, priority, channel, queueID, agentID, customerID, attrs string, pad uint16) {
		// pad lets the fuzzer reach the length limits.
		topic += strings.Repeat("é", int(pad%1100))
		summary += strings.Repeat("ab", int(pad)*2%4200)
		customerID += strings.Repeat("x", int(pad%300))
		in := conversation.Conversation{
			ID: id, Topic: topic, Summary: summary,
			Status: conversation.Status(status), Priority: conversation.Priority(priority),
			Channel: conversation.Channel(channel), QueueID: queueID, AgentID: agentID,
			CustomerID: customerID, Attributes: pairs(attrs),
			Tags: []string{"ignored"}, Version: 9, CreatedAt: fuzzNow.Add(-time.Hour),
		}
		given := in.Clone()

		bad := attributesBad(in.Attributes)
		wantID := id
		if wantID == "" {
			wantID = "generated"
		}
		check := map[string]bool{
			"id":         idOK(wantID),
			"topic":      textOK(topic, 1000),
			"summary":    textOK(summary, 4000),
			"status":     status == "" || conversation.Status(status).Valid(),
			"priority":   priority == "" || conversation.Priority(priority).Valid(),
			"channel":    channel == "" || conversation.Channel(channel).Valid(),
			"queueId":    optionalIDOK(queueID),
			"agentId":    optionalIDOK(agentID),
			"customerId": optionalIDOK(customerID),
		}
		for field, ok := range check {
			if !ok {
				bad[field] = true
			}
		}

		c, err := conversation.New(in, "generated", fuzzNow)
		if !reflect.DeepEqual(given, in.Clone()) {
			t.Fatal("New changed its input")
		}
		if err != nil {
			if len(bad) == 0 {
				t.Fatalf("valid input refused: %v", err)
			}
			requireFieldError(t, err, bad)
			return
		}
		if len(bad) > 0 {
			t.Fatalf("invalid input accepted: bad fields %v", bad)
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("New returned a conversation that does not validate: %v", err)
		}
		want := &conversation.Conversation{
			ID: wantID, Topic: topic, Summary: summary,
			Status: conversation.Status(status), Priority: conversation.Priority(priority),
			Channel: conversation.Channel(channel), QueueID: queueID, AgentID: agentID,
			CustomerID: customerID, Attributes: maps.Clone(in.Attributes),
			CreatedAt: fuzzNow, UpdatedAt: fuzzNow, Version: 1,
		}
		if want.Status == "" {
			want.Status = conversation.Open
		}
		if want.Priority == "" {
			want.Priority = conversation.Normal
		}
		if want.Channel == "" {
			want.Channel = conversation.NoChannel
		}
		want.Source = conversation.SourceAPI // not fuzzed: the default
		if len(want.Attributes) == 0 {
			want.Attributes = nil
		}
		if want.Status == conversation.Closed {
			want.ClosedAt = fuzzNow
		}
		if queueID != "" {
			want.QueuedAt = fuzzNow
		}
		if !reflect.DeepEqual(want, c) {
			t.Fatalf("New(%+v)\n got %+v\nwant %+v", in, c, want)
		}
		cp := c.Clone()
		if !reflect.DeepEqual(c, cp) {
			t.Fatal("Clone differs from the original")
		}
		for k := range cp.Attributes {
			cp.Attributes[k] = "changed"
		}
		if !reflect.DeepEqual(want.Attributes, c.Attributes) {
			t.Fatal("changing a clone's attributes changed the original")
		}
	})
}

// patchBits says which fields of a fuzzed patch are set.
const (
	setTopic = 1 << iota
	setSummary
	setStatus
	setPriority
	setQueue
	setAgent
	setChannel
	setCustomer
	setAttributes
)

// FuzzPatchApply validates arbitrary patches and applies the valid ones to
// conversations in every status. Neither panics; Validate refuses exactly
// the invalid patches with ErrInvalid naming a wrong field. Apply refuses a
// closed conversation with ErrClosed and a stale expected version with
// ErrConflict, changing nothing. A successful Apply sets exactly the given
// fields, returns exactly the change Diff sees, bumps Version and UpdatedAt
// only when something changed, keeps the conversation valid, and a second
// Apply of the same patch changes nothing.
func FuzzPatchApply(f *testing.F) {
	f.Add(uint8(0), uint16(setTopic), "new topic", "", "", "", "", "", "", "", "", int64(0))
	f.Add(uint8(1), uint16(setStatus|setAgent), "", "", "CLOSED", "", "", "", "", "", "", int64(0))
	f.Add(uint8(3), uint16(setTopic), "closed already", "", "", "", "", "", "", "", "", int64(0))
	f.Add(uint8(6), uint16(0x1ff), "' OR 1=1 --", "s", "SOLVED", "URGENT", "", "", "SMS", "c", "", int64(2))
	f.Add(uint8(2), uint16(setAttributes|setQueue), "", "", "", "", "q2", "", "", "", "a=1,=2", int64(0))
	f.Add(uint8(5), uint16(setStatus|setPriority|setChannel), "", "", "pending", "medium", "", "", "PIGEON", "", "", int64(-1))
	f.Add(uint8(4), uint16(setTopic|setCustomer), "\xff", "", "", "", "", "", "", "\x00", "", int64(0))
	f.Fuzz(func(t *testing.T, base uint8, mask uint16, topic, summary, status, priority, queueID, agentID, channel, customerID, attrs string, ifVersion int64) {
		start, err := conversation.New(conversation.Conversation{
			ID:         "c1",
			Topic:      "old",
			Status:     conversation.Statuses[base%4],
			Priority:   conversation.Priorities[base/4%4],
			QueueID:    []string{"", "q1"}[base/16%2],
			AgentID:    []string{"", "a1"}[base/32%2],
			Attributes: []map[string]string{nil, {"k": "v"}}[base/64%2],
		}, "", fuzzNow.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var p conversation.Patch
		bad := map[string]bool{}
		set := func(bit uint16, dst **string, v string, field string, ok bool) {
			if mask&bit != 0 {
				*dst = &v
				if !ok {
					bad[field] = true
				}
			}
		}
		set(setTopic, &p.Topic, topic, "topic", textOK(topic, 1000))
		set(setSummary, &p.Summary, summary, "summary", textOK(summary, 4000))
		set(setQueue, &p.QueueID, queueID, "queueId", optionalIDOK(queueID))
		set(setAgent, &p.AgentID, agentID, "agentId", optionalIDOK(agentID))
		set(setCustomer, &p.CustomerID, customerID, "customerId", optionalIDOK(customerID))
		if mask&setStatus != 0 {
			s := conversation.Status(status)
			p.Status = &s
			if !s.Valid() {
				bad["status"] = true
			}
		}
		if mask&setPriority != 0 {
			pr := conversation.Priority(priority)
			p.Priority = &pr
			if !pr.Valid() {
				bad["priority"] = true
			}
		}
		if mask&setChannel != 0 {
			ch := conversation.Channel(channel)
			p.Channel = &ch
			if !ch.Valid() {
				bad["channel"] = true
			}
		}
		if mask&setAttributes != 0 {
			p.Attributes = pairs(attrs)
			maps.Copy(bad, attributesBad(p.Attributes))
		}
		p.IfVersion = ifVersion
		if ifVersion < 0 {
			bad["version"] = true
		}

		if err := p.Validate(); err != nil {
			if len(bad) == 0 {
				t.Fatalf("a valid patch was refused: %v", err)
			}
			requireFieldError(t, err, bad)
			return
		}
		if len(bad) > 0 {
			t.Fatalf("an invalid patch passed Validate: bad fields %v", bad)
		}
		stale := ifVersion != 0 && ifVersion != start.Version

		c := start.Clone()
		diff, err := p.Apply(c, fuzzNow)
		if err != nil {
			if !reflect.DeepEqual(start, c) {
				t.Fatalf("a failed Apply (%v) changed the conversation", err)
			}
			switch {
			case start.Status == conversation.Closed:
				if !errors.Is(err, fault.ErrClosed) {
					t.Fatalf("patching a closed conversation: %v, want ErrClosed", err)
				}
			case stale:
				if !errors.Is(err, fault.ErrConflict) {
					t.Fatalf("patching version %d expecting %d: %v, want ErrConflict", start.Version, ifVersion, err)
				}
			default:
				t.Fatalf("a valid patch was refused: %v", err)
			}
			return
		}
		if start.Status == conversation.Closed {
			t.Fatal("a closed conversation took a patch")
		}
		if stale {
			t.Fatalf("a patch expecting version %d applied to version %d", ifVersion, start.Version)
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("the patched conversation does not validate: %v", err)
		}

		want := start.Clone()
		pick := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		pick(&want.Topic, p.Topic)
		pick(&want.Summary, p.Summary)
		pick(&want.AgentID, p.AgentID)
		pick(&want.CustomerID, p.CustomerID)
		if p.Status != nil {
			want.Status = *p.Status
		}
		if p.Priority != nil {
			want.Priority = *p.Priority
		}
		if p.Channel != nil {
			want.Channel = *p.Channel
		}
		if p.QueueID != nil && *p.QueueID != start.QueueID {
			want.QueueID = *p.QueueID
			want.QueuedAt = time.Time{}
			if want.QueueID != "" {
				want.QueuedAt = fuzzNow
			}
		}
		if p.Attributes != nil {
			want.Attributes = maps.Clone(p.Attributes)
			if len(want.Attributes) == 0 {
				want.Attributes = nil
			}
		}
		if want.Status == conversation.Closed {
			want.ClosedAt = fuzzNow
		}
		wantDiff := conversation.Diff(start, want)
		if !reflect.DeepEqual(diff, wantDiff) {
			t.Fatalf("Apply returned the change %+v; the fields say %+v", diff, wantDiff)
		}
		if diff != nil {
			want.Version++
			want.UpdatedAt = fuzzNow
		} else {
			want = start
		}
		if !reflect.DeepEqual(want, c) {
			t.Fatalf("Apply(%+v)\n got %+v\nwant %+v", p, c, want)
		}

		again := c.Clone()
		if p.IfVersion != 0 {
			p.IfVersion = c.Version // the caller has seen the change
		}
		diff, err = p.Apply(again, fuzzNow.Add(time.Second))
		if c.Status == conversation.Closed {
			if !errors.Is(err, fault.ErrClosed) {
				t.Fatalf("patching the now closed conversation again: %v", err)
			}
			return
		}
		if err != nil || diff != nil || !reflect.DeepEqual(c, again) {
			t.Fatalf("the same patch again: change %+v, err %v; want no change", diff, err)
		}
	})
}
