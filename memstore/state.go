package memstore

import (
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
	"github.com/parleyhq/parley/waiting"
)

type set = map[string]struct{}

// state is everything a Store holds. Every field is guarded by Store.mu.
type state struct {
	conversations map[string]*conversation.Conversation
	byQueue       map[string]set // queue id → conversation ids
	byCustomer    map[string]set // customer id → conversation ids
	load          map[string]int // agent id → conversations in OPEN or WAITING

	messages     map[string]*message.Message
	convMessages map[string][]*message.Message // conversation id → messages by (CreatedAt, ID)

	tags     map[string]*tag.Tag
	tagConvs map[string]set // tag name → conversation ids

	agents      map[string]*routing.Agent
	queues      map[string]*routing.Queue
	members     map[string]set // queue id → agent ids
	agentQueues map[string]set // agent id → queue ids
	rules       []routing.Rule

	customers map[string]*customer.Customer

	calls      map[string]*call.Call
	liveCalls  map[string]string   // agent id → the call that takes it up (call.Call.Occupies)
	heartbeats map[string]presence // agent id → its heartbeat
	settings   map[string][]byte

	workingHours map[string]*schedule.WorkingHours

	waitingStrategies map[string]*waiting.Strategy
	callWaits         map[string]*storage.CallWait // call id → its wait
	recordings        *recordingState
	holdConfigs       map[string]*call.HoldConfig

	events     []*storage.Event            // in seq order
	convEvents map[string][]*storage.Event // conversation id → its events, in seq order
	seq        int64
}

func newState() *state {
	return &state{
		conversations: map[string]*conversation.Conversation{},
		byQueue:       map[string]set{},
		byCustomer:    map[string]set{},
		load:          map[string]int{},
		messages:      map[string]*message.Message{},
		convMessages:  map[string][]*message.Message{},
		tags:          map[string]*tag.Tag{},
		tagConvs:      map[string]set{},
		agents:        map[string]*routing.Agent{},
		queues:        map[string]*routing.Queue{},
		members:       map[string]set{},
		agentQueues:   map[string]set{},
		convEvents:    map[string][]*storage.Event{},
		customers:     map[string]*customer.Customer{},
		calls:         map[string]*call.Call{},
		liveCalls:     map[string]string{},
		heartbeats:    map[string]presence{},
		settings:      map[string][]byte{},
		workingHours:  map[string]*schedule.WorkingHours{},

		waitingStrategies: map[string]*waiting.Strategy{},
		callWaits:         map[string]*storage.CallWait{},
		recordings:        newRecordingState(),
		holdConfigs:       map[string]*call.HoldConfig{},
	}
}

func addTo(m map[string]set, key, v string) {
	if key == "" {
		return
	}
	s := m[key]
	if s == nil {
		s = set{}
		m[key] = s
	}
	s[v] = struct{}{}
}

func removeFrom(m map[string]set, key, v string) {
	if s := m[key]; s != nil {
		delete(s, v)
		if len(s) == 0 {
			delete(m, key)
		}
	}
}

// putConversation stores c (owned by the state from now on) in place of
// old (nil for a new one), keeping the indexes in step.
func (st *state) putConversation(old, c *conversation.Conversation) {
	if old != nil {
		st.unindex(old)
	}
	if c == nil {
		delete(st.conversations, old.ID)
		return
	}
	st.conversations[c.ID] = c
	addTo(st.byQueue, c.QueueID, c.ID)
	addTo(st.byCustomer, c.CustomerID, c.ID)
	if routing.CountsAsLoad(c) {
		st.load[c.AgentID]++
	}
	for _, name := range c.Tags {
		addTo(st.tagConvs, name, c.ID)
	}
}

func (st *state) unindex(c *conversation.Conversation) {
	removeFrom(st.byQueue, c.QueueID, c.ID)
	removeFrom(st.byCustomer, c.CustomerID, c.ID)
	if routing.CountsAsLoad(c) {
		if st.load[c.AgentID]--; st.load[c.AgentID] == 0 {
			delete(st.load, c.AgentID)
		}
	}
	for _, name := range c.Tags {
		removeFrom(st.tagConvs, name, c.ID)
	}
}
