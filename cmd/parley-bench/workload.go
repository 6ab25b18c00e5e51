package main

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// The fixed workload, the same on every store: workloadRoster (an
// auto-assigning queue with its agents and the rule that routes there, a
// queue that assigns nothing, two tags) and listRows conversations in the
// queue that assigns nothing, for the list step.
const listRows = 200

// The operations, by the names the table shows.
const (
	opCreate  = "create"
	opGet     = "get"
	opPatch   = "patch"
	opStatus  = "status update"
	opTag     = "add tag"
	opAppend  = "append message"
	opInbound = "inbound message"
	opList    = "list page"
	opRoute   = "route"
	opCall    = "call offer"
)

// sampleCall is the i-th inbound call: a new caller each time, so that
// each call makes its conversation (and its customer), as a first call
// does.
func sampleCall(i int, channel conversation.Channel) parley.InboundCall {
	return parley.InboundCall{
		CustomerID: fmt.Sprintf("caller-%07d", i),
		Channel:    channel,
		From:       fmt.Sprintf("+3859%07d", i),
		To:         "+38512345678",
	}
}

// sampleConversation is the conversation every create makes: a few fields
// set, as a chat widget would.
func sampleConversation(i int) conversation.Conversation {
	return conversation.Conversation{
		Topic:      "Where is my parcel?",
		Channel:    conversation.LiveChat,
		CustomerID: fmt.Sprintf("cust-%04d", i%1000),
		Attributes: map[string]string{"lang": "en"},
	}
}

// sampleReply is the message the append step sends.
var sampleReply = message.Message{Content: message.Content{Text: "Your parcel left our warehouse this morning."}}

// listQuery is the list step's query: a page of 50 OPEN conversations of
// one queue, newest first, with their tags, without the total (as a client
// paging with cursors asks).
func listQuery() storage.ConversationQuery {
	return storage.ConversationQuery{
		Filter: storage.ConversationFilter{
			Statuses: []conversation.Status{conversation.Open},
			QueueIDs: []string{archiveQueue},
		},
		Paging: storage.Paging{SkipTotal: true},
	}
}

// workload is the fixed workload on one service.
type workload struct {
	svc *parley.Service
	// fixtures made by setup
	tagged   string // a conversation with two tags
	patched  string // the conversation the patch step changes
	statused string // the conversation the status update step changes
	assigned string // the conversation assigned to replyAgent
	customer string // the customer of the inbound step
}

// setup creates the workload's roster and conversations.
func (w *workload) setup(ctx context.Context) error {
	svc := w.svc
	if err := workloadRoster().create(ctx, svc); err != nil {
		return err
	}
	statuses := []conversation.Status{conversation.Open, conversation.Waiting, conversation.Solved, conversation.Open}
	for i := range listRows {
		in := sampleConversation(i)
		in.QueueID = archiveQueue
		in.Status = statuses[i%len(statuses)]
		if i%2 == 0 {
			in.Tags = []string{tagVIP}
		}
		if i%3 == 0 {
			in.Tags = append(in.Tags, tagBilling)
		}
		if _, err := svc.CreateConversation(ctx, in); err != nil {
			return err
		}
	}
	in := sampleConversation(0)
	in.Tags = []string{tagVIP, tagBilling}
	c, err := svc.CreateConversation(ctx, in)
	if err != nil {
		return err
	}
	w.tagged = c.ID
	if c, err = svc.CreateConversation(ctx, sampleConversation(1)); err != nil {
		return err
	}
	w.patched = c.ID
	if c, err = svc.CreateConversation(ctx, sampleConversation(3)); err != nil {
		return err
	}
	w.statused = c.ID
	if c, err = svc.CreateConversation(ctx, sampleConversation(2)); err != nil {
		return err
	}
	if _, err := svc.AssignConversation(ctx, c.ID, replyAgent); err != nil {
		return err
	}
	w.assigned = c.ID
	w.customer = "cust-inbound"
	_, _, err = svc.ReceiveInbound(ctx, w.customer, conversation.LiveChat, sampleReply)
	return err
}

// fresh hands out new conversations made untimed, n at a time by prepare.
type fresh struct {
	svc  *parley.Service
	ids  []string
	next int
}

func (f *fresh) prepare(ctx context.Context, n int) error {
	f.ids, f.next = f.ids[:0], 0
	for i := range n {
		c, err := f.svc.CreateConversation(ctx, sampleConversation(i))
		if err != nil {
			return err
		}
		f.ids = append(f.ids, c.ID)
	}
	return nil
}

func (f *fresh) take() string {
	id := f.ids[f.next]
	f.next++
	return id
}

// steps returns the workload's operations in table order.
func (w *workload) steps() []namedStep {
	svc := w.svc
	i := 0
	create := step{run: func(ctx context.Context) error {
		i++
		_, err := svc.CreateConversation(ctx, sampleConversation(i))
		return err
	}}
	get := step{run: func(ctx context.Context) error {
		_, err := svc.GetConversation(ctx, w.tagged)
		return err
	}}
	priorities := []conversation.Priority{conversation.High, conversation.Normal}
	p := 0
	patch := step{run: func(ctx context.Context) error {
		p++
		_, err := svc.UpdateConversation(ctx, w.patched, conversation.Patch{Priority: &priorities[p%2]})
		return err
	}}
	statuses := []conversation.Status{conversation.Waiting, conversation.Open}
	st := 0
	status := step{run: func(ctx context.Context) error {
		st++
		_, err := svc.UpdateConversation(ctx, w.statused, conversation.Patch{Status: &statuses[st%2]})
		return err
	}}
	toTag := &fresh{svc: svc}
	addTag := step{prepare: toTag.prepare, run: func(ctx context.Context) error {
		_, err := svc.AddTag(ctx, toTag.take(), tagVIP)
		return err
	}}
	appendMsg := step{run: func(ctx context.Context) error {
		ctx = parley.WithActor(ctx, parley.Actor{AgentID: replyAgent})
		_, err := svc.CreateMessage(ctx, w.assigned, sampleReply)
		return err
	}}
	inbound := step{run: func(ctx context.Context) error {
		_, _, err := svc.ReceiveInbound(ctx, w.customer, conversation.LiveChat, sampleReply)
		return err
	}}
	list := step{run: func(ctx context.Context) error {
		page, err := svc.ListConversations(ctx, listQuery())
		if err == nil && len(page.Items) != storage.DefaultLimit {
			err = fmt.Errorf("list: a page of %d", len(page.Items))
		}
		return err
	}}
	toRoute := &fresh{svc: svc}
	route := step{
		maxOps:  workloadAgents / 4 * routing.MaxCapacity, // a quarter of the agents' room
		prepare: toRoute.prepare,
		run: func(ctx context.Context) error {
			c, err := svc.Route(ctx, toRoute.take())
			if err == nil && c.AgentID == "" {
				err = fmt.Errorf("route: %s was not assigned", c.ID)
			}
			return err
		},
		// Delete the routed conversations, so that agents' loads stay
		// where they were for the next block.
		finish: func(ctx context.Context) error {
			for _, id := range toRoute.ids {
				if err := svc.DeleteConversation(ctx, id, "benchmark"); err != nil {
					return err
				}
			}
			return nil
		},
	}
	return []namedStep{
		{opCreate, create}, {opGet, get}, {opPatch, patch}, {opStatus, status}, {opTag, addTag},
		{opAppend, appendMsg}, {opInbound, inbound}, {opList, list}, {opRoute, route},
		{opCall, w.callStep()},
	}
}

// callStep is an inbound call arriving and offered at once: it threads
// (a new caller: a new conversation), routes to the voice queue, and rings
// a free agent there. Each agent rings one call at a time, so a block
// offers at most callAgents calls; the customers hang up after it
// (untimed), which frees the agents for the next. Before each block every
// voice agent sends a heartbeat, as their clients would.
func (w *workload) callStep() step {
	svc := w.svc
	i := 0
	var calls []string
	return step{
		maxOps: callAgents,
		prepare: func(ctx context.Context, _ int) error {
			calls = calls[:0]
			for a := range callAgents {
				if err := svc.Heartbeat(ctx, callAgentID(a)); err != nil {
					return err
				}
			}
			return nil
		},
		run: func(ctx context.Context) error {
			i++
			c, err := svc.ReceiveCall(ctx, sampleCall(i, conversation.Voice))
			if err != nil {
				return err
			}
			if c.State != call.Ringing {
				return fmt.Errorf("call offer: %s is %s, not ringing", c.ID, c.State)
			}
			calls = append(calls, c.ID)
			return nil
		},
		finish: func(ctx context.Context) error {
			for _, id := range calls {
				if _, err := svc.HangUpCall(ctx, id, call.Customer); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

type namedStep struct {
	name string
	step
}
