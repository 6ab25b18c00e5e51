package httpapi

import (
	"net/http"
	"strconv"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// rulesInJSON is the body of PUT /routing: the whole ordered rule list.
type rulesInJSON struct {
	Rules opt[[]ruleInJSON] `json:"rules"`
}

// ruleInJSON is one rule of PUT /routing. enabled defaults to true; an
// empty or null priority leaves the conversation's priority as it is; a
// missing condition matches everything.
type ruleInJSON struct {
	ID        opt[string]          `json:"id"`
	Name      opt[string]          `json:"name"`
	QueueID   opt[string]          `json:"queueId"`
	Priority  opt[string]          `json:"priority"`
	Enabled   opt[bool]            `json:"enabled"`
	Condition opt[conditionInJSON] `json:"condition"`
	// WorkingHoursID makes the rule match only inside those working hours.
	WorkingHoursID opt[string] `json:"workingHoursId"`
}

// conditionInJSON is a rule's condition; channels and priorities accept
// the second vocabulary.
type conditionInJSON struct {
	Match         string            `json:"match"`
	Channels      []string          `json:"channels"`
	Priorities    []string          `json:"priorities"`
	TagsAny       []string          `json:"tagsAny"`
	TagsAll       []string          `json:"tagsAll"`
	CustomerID    string            `json:"customerId"`
	TopicContains string            `json:"topicContains"`
	Attributes    map[string]string `json:"attributes"`
}

func (in ruleInJSON) rule(prefix string) (routing.Rule, error) {
	c := in.Condition.Value
	r := routing.Rule{
		ID:       in.ID.Value,
		Name:     in.Name.Value,
		QueueID:  in.QueueID.Value,
		Disabled: in.Enabled.Given() && !in.Enabled.Value,
		// A rule names working hours by id; null or absent for none.
		WorkingHoursID: in.WorkingHoursID.Value,
		Condition: routing.Condition{
			Match:         routing.Match(c.Match),
			TagsAny:       c.TagsAny,
			TagsAll:       c.TagsAll,
			CustomerID:    c.CustomerID,
			TopicContains: c.TopicContains,
			Attributes:    c.Attributes,
		},
	}
	if in.Priority.Value != "" {
		p, err := conversation.ParsePriority(in.Priority.Value)
		if err != nil {
			return r, invalid(prefix+"priority", "unknown value %q", in.Priority.Value)
		}
		r.Priority = p
	}
	for _, s := range c.Channels {
		ch, err := conversation.ParseChannel(s)
		if err != nil {
			return r, invalid(prefix+"condition.channels", "unknown value %q", s)
		}
		r.Condition.Channels = append(r.Condition.Channels, ch)
	}
	for _, s := range c.Priorities {
		p, err := conversation.ParsePriority(s)
		if err != nil {
			return r, invalid(prefix+"condition.priorities", "unknown value %q", s)
		}
		r.Condition.Priorities = append(r.Condition.Priorities, p)
	}
	return r, nil
}

func (a *api) routingRules(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	rules, err := a.svc.RoutingRules(r.Context())
	if err != nil {
		return nil, err
	}
	return toRules(rules), nil
}

// setRoutingRules replaces the rule list. The body must name rules, so
// that an empty body cannot wipe the list by mistake; {"rules": []} does.
func (a *api) setRoutingRules(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in rulesInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if !in.Rules.Given() {
		return nil, invalid("rules", "is required (an empty list removes every rule)")
	}
	rules := make([]routing.Rule, 0, len(in.Rules.Value))
	for i, ri := range in.Rules.Value {
		rule, err := ri.rule("rules[" + strconv.Itoa(i) + "].")
		if err != nil {
			return nil, err
		}
		rules = append(rules, rule)
	}
	out, err := a.svc.SetRoutingRules(r.Context(), rules)
	if err != nil {
		return nil, err
	}
	return toRules(out), nil
}

// route routes the conversation again (SPEC §4) and answers with it. The
// body, if any, must be an empty object.
func (a *api) route(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in struct{}
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	c, err := a.svc.Route(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return toConversation(c), nil
}

// simulateRouting answers where routing would send the conversation now,
// and writes nothing.
func (a *api) simulateRouting(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	d, err := a.svc.SimulateRouting(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return decisionJSON{ID: d.ConversationID, QueueID: nullString(d.QueueID), Priority: string(d.Priority)}, nil
}

// transferJSON is the body of POST /conversations/{id}/transfer: exactly
// one of agentId and queueId, or of their aliases assignedTo and inboxId
// (SPEC §2); a field and its alias together are a 400 naming the alias.
type transferJSON struct {
	AgentID    opt[string] `json:"agentId"`
	AssignedTo opt[string] `json:"assignedTo"`
	QueueID    opt[string] `json:"queueId"`
	InboxID    opt[string] `json:"inboxId"`
}

// transfer hands the conversation to an agent or to a queue.
func (a *api) transfer(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in transferJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	agent, err := oneOf("agentId", in.AgentID, "assignedTo", in.AssignedTo)
	if err != nil {
		return nil, err
	}
	queue, err := oneOf("queueId", in.QueueID, "inboxId", in.InboxID)
	if err != nil {
		return nil, err
	}
	id := r.PathValue("id")
	var c *conversation.Conversation
	switch {
	case agent.Given() && queue.Given():
		return nil, invalid("queueId", "cannot be given together with agentId: transfer to an agent or to a queue")
	case agent.Given():
		c, err = a.svc.TransferToAgent(r.Context(), id, agent.Value)
	case queue.Given():
		c, err = a.svc.TransferToQueue(r.Context(), id, queue.Value)
	default:
		return nil, invalid("agentId", "agentId or queueId is required")
	}
	if err != nil {
		return nil, err
	}
	return toConversation(c), nil
}
