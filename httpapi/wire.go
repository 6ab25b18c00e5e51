package httpapi

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/internal/httpwire"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

// TimeLayout is how every time is written on the wire: UTC, milliseconds,
// a numeric offset.
const TimeLayout = httpwire.TimeLayout

// wireTime writes a time in TimeLayout.
type wireTime time.Time

// MarshalJSON implements json.Marshaler.
func (t wireTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format(TimeLayout) + `"`), nil
}

// nullTime is a wireTime that is null when zero.
func nullTime(t time.Time) *wireTime {
	if t.IsZero() {
		return nil
	}
	w := wireTime(t)
	return &w
}

// nullString is a string that is null when empty.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// list is the wrapper of every list: the items under key, then the
// pagination block. It keeps that key order, which a map would not.
type list struct {
	key        string
	items      any
	pagination paginationJSON
}

// MarshalJSON implements json.Marshaler.
func (l list) MarshalJSON() ([]byte, error) {
	items, err := json.Marshal(l.items)
	if err != nil {
		return nil, err
	}
	p, err := json.Marshal(l.pagination)
	if err != nil {
		return nil, err
	}
	key, _ := json.Marshal(l.key)
	var b bytes.Buffer
	b.WriteByte('{')
	b.Write(key)
	b.WriteByte(':')
	b.Write(items)
	b.WriteString(`,"pagination":`)
	b.Write(p)
	b.WriteByte('}')
	return b.Bytes(), nil
}

// paginationJSON is the pagination block of a list.
type paginationJSON struct {
	TotalItems *int   `json:"totalItems"` // null when the count was skipped
	Page       *int   `json:"page"`       // null when paging by cursor
	Limit      int    `json:"limit"`
	OrderBy    string `json:"orderBy"`
	NextCursor string `json:"nextCursor,omitempty"` // absent on the last page
}

func pagination[T any](p storage.Paging, page storage.Page[T], order string) paginationJSON {
	out := paginationJSON{Limit: p.Limit, OrderBy: order, NextCursor: page.NextCursor}
	if page.Total >= 0 {
		total := page.Total
		out.TotalItems = &total
	}
	if p.Cursor == "" {
		n := p.Page
		out.Page = &n
	}
	return out
}

// listOf converts one page of domain values to a list.
func listOf[T, W any](key string, p storage.Paging, page storage.Page[T], order string, conv func(T) W) list {
	items := make([]W, 0, len(page.Items))
	for _, it := range page.Items {
		items = append(items, conv(it))
	}
	return list{key: key, items: items, pagination: pagination(p, page, order)}
}

// conversationJSON is a conversation on the wire (SPEC §2).
type conversationJSON struct {
	ID         string            `json:"id"`
	Topic      *string           `json:"topic"`
	Summary    *string           `json:"summary"`
	Status     string            `json:"status"`
	Priority   string            `json:"priority"`
	QueueID    *string           `json:"queueId"`
	AgentID    *string           `json:"agentId"`
	Channel    string            `json:"channel"`
	Source     string            `json:"source"`
	CustomerID *string           `json:"customerId"`
	Attributes map[string]string `json:"attributes"`
	Tags       []string          `json:"tags"`
	CreatedAt  wireTime          `json:"createdAt"`
	UpdatedAt  wireTime          `json:"updatedAt"`
	ClosedAt   *wireTime         `json:"closedAt"`
	Version    int64             `json:"version"`
}

func toConversation(c *conversation.Conversation) conversationJSON {
	attrs := maps.Clone(c.Attributes)
	if attrs == nil {
		attrs = map[string]string{}
	}
	tags := slices.Clone(c.Tags)
	if tags == nil {
		tags = []string{}
	}
	return conversationJSON{
		ID:         c.ID,
		Topic:      nullString(c.Topic),
		Summary:    nullString(c.Summary),
		Status:     string(c.Status),
		Priority:   string(c.Priority),
		QueueID:    nullString(c.QueueID),
		AgentID:    nullString(c.AgentID),
		Channel:    string(c.Channel),
		Source:     string(c.Source),
		CustomerID: nullString(c.CustomerID),
		Attributes: attrs,
		Tags:       tags,
		CreatedAt:  wireTime(c.CreatedAt),
		UpdatedAt:  wireTime(c.UpdatedAt),
		ClosedAt:   nullTime(c.ClosedAt),
		Version:    c.Version,
	}
}

// contentJSON is a message's content, in and out; which fields apply
// depends on the content type (SPEC §5).
type contentJSON struct {
	Text         string          `json:"text,omitempty"`
	URL          string          `json:"url,omitempty"`
	Caption      string          `json:"caption,omitempty"`
	Latitude     *float64        `json:"latitude,omitempty"`
	Longitude    *float64        `json:"longitude,omitempty"`
	Name         string          `json:"name,omitempty"`
	Address      string          `json:"address,omitempty"`
	TemplateName string          `json:"templateName,omitempty"`
	Language     string          `json:"language,omitempty"`
	Parameters   []templateParam `json:"parameters,omitempty"`
	Phone        string          `json:"phone,omitempty"`
	Email        string          `json:"email,omitempty"`
	Sender       string          `json:"sender,omitempty"`
	SenderName   string          `json:"senderName,omitempty"`
	// Attachments are a note's files (a private message's only).
	Attachments []message.Attachment `json:"attachments,omitempty"`
}

// templateParam is one parameter of a TEMPLATE message: a string, or an
// object {"default": "..."} as Infobip's clients send it. Answers write the
// string.
type templateParam string

// UnmarshalJSON implements json.Unmarshaler.
func (p *templateParam) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*p = templateParam(s)
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil || obj == nil {
		return invalid("content.parameters", `each must be a string or an object {"default": "..."}`)
	}
	raw, ok := obj["default"]
	if !ok || len(obj) != 1 || json.Unmarshal(raw, &s) != nil {
		return invalid("content.parameters", `an object parameter must be {"default": "..."}, a string`)
	}
	*p = templateParam(s)
	return nil
}

func paramsOut(ps []string) []templateParam {
	if ps == nil {
		return nil
	}
	out := make([]templateParam, len(ps))
	for i, p := range ps {
		out[i] = templateParam(p)
	}
	return out
}

func paramsIn(ps []templateParam) []string {
	if ps == nil {
		return nil
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}

func toContent(c message.Content) contentJSON {
	c = c.Clone()
	return contentJSON{
		Text: c.Text, URL: c.URL, Caption: c.Caption,
		Latitude: c.Latitude, Longitude: c.Longitude, Name: c.Name, Address: c.Address,
		TemplateName: c.TemplateName, Language: c.Language, Parameters: paramsOut(c.Parameters),
		Phone: c.Phone, Email: c.Email, Sender: c.Sender, SenderName: c.SenderName,
		Attachments: c.Attachments,
	}
}

func (c contentJSON) domain() message.Content {
	return message.Content{
		Text: c.Text, URL: c.URL, Caption: c.Caption,
		Latitude: c.Latitude, Longitude: c.Longitude, Name: c.Name, Address: c.Address,
		TemplateName: c.TemplateName, Language: c.Language, Parameters: paramsIn(c.Parameters),
		Phone: c.Phone, Email: c.Email, Sender: c.Sender, SenderName: c.SenderName,
		Attachments: c.Attachments,
	}
}

// messageJSON is a message on the wire.
type messageJSON struct {
	ID             string      `json:"id"`
	ConversationID string      `json:"conversationId"`
	Direction      string      `json:"direction"`
	Channel        string      `json:"channel"`
	From           *string     `json:"from"`
	To             *string     `json:"to"`
	ContentType    string      `json:"contentType"`
	Content        contentJSON `json:"content"`
	AgentID        *string     `json:"agentId"`
	Private        bool        `json:"private"`
	CreatedAt      wireTime    `json:"createdAt"`
	// UpdatedAt is Infobip's field: a message never changes once created,
	// so it is its CreatedAt.
	UpdatedAt wireTime `json:"updatedAt"`
}

func toMessage(m *message.Message) messageJSON {
	return messageJSON{
		ID:             m.ID,
		ConversationID: m.ConversationID,
		Direction:      string(m.Direction),
		Channel:        string(m.Channel),
		From:           nullString(m.From),
		To:             nullString(m.To),
		ContentType:    string(m.ContentType),
		Content:        toContent(m.Content),
		AgentID:        nullString(m.AgentID),
		Private:        m.Private,
		CreatedAt:      wireTime(m.CreatedAt),
		UpdatedAt:      wireTime(m.CreatedAt),
	}
}

// tagJSON is a catalog entry on the wire.
type tagJSON struct {
	Name      string   `json:"name"`
	CreatedAt wireTime `json:"createdAt"`
	// UpdatedAt is Infobip's field: a tag is a name and never changes, so
	// it is its CreatedAt.
	UpdatedAt wireTime `json:"updatedAt"`
}

func toTag(t *tag.Tag) tagJSON {
	return tagJSON{Name: t.Name, CreatedAt: wireTime(t.CreatedAt), UpdatedAt: wireTime(t.CreatedAt)}
}

// agentJSON is an agent on the wire. Availability is derived
// (routing.AvailabilityOf): whether the agent can take work now, in the
// vocabulary of its chosen status.
type agentJSON struct {
	ID            string   `json:"id"`
	DisplayName   string   `json:"displayName"`
	Role          string   `json:"role"`
	Status        string   `json:"status"`
	Availability  string   `json:"availability"`
	Enabled       bool     `json:"enabled"`
	Capacity      int      `json:"capacity"`
	WrapUpSeconds int      `json:"wrapUpSeconds"`
	Queues        []string `json:"queues"`
	CreatedAt     wireTime `json:"createdAt"`
	UpdatedAt     wireTime `json:"updatedAt"`
}

func toAgent(a *routing.Agent) agentJSON {
	queues := slices.Clone(a.Queues)
	if queues == nil {
		queues = []string{}
	}
	return agentJSON{
		ID:            a.ID,
		DisplayName:   a.DisplayName,
		Role:          string(a.Role),
		Status:        string(a.Status),
		Enabled:       !a.Disabled,
		Capacity:      a.Capacity,
		WrapUpSeconds: a.WrapUpSeconds,
		Queues:        queues,
		CreatedAt:     wireTime(a.CreatedAt),
		UpdatedAt:     wireTime(a.UpdatedAt),
	}
}

// queueJSON is a queue on the wire.
type queueJSON struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	AutoAssignment bool   `json:"autoAssignment"`
	// IsAutoAssignmentEnabled is autoAssignment under Infobip's name.
	IsAutoAssignmentEnabled bool    `json:"isAutoAssignmentEnabled"`
	Strategy                string  `json:"strategy"`
	StickyAgent             bool    `json:"stickyAgent"`
	StickyTimeout           int     `json:"stickyTimeout"`
	MaxWaitSeconds          int     `json:"maxWaitSeconds"`
	OverflowQueueID         *string `json:"overflowQueueId"`
	Default                 bool    `json:"default"`
	WorkingHoursID          *string `json:"workingHoursId"`
	// AutoAssignOutside is Infobip's isAutoAssignmentOutsideOfWorkingHoursEnabled.
	AutoAssignOutside bool     `json:"isAutoAssignmentOutsideOfWorkingHoursEnabled"`
	Members           []string `json:"members"`
	CreatedAt         wireTime `json:"createdAt"`
	UpdatedAt         wireTime `json:"updatedAt"`
}

func toQueue(q *routing.Queue) queueJSON {
	members := slices.Clone(q.Members)
	if members == nil {
		members = []string{}
	}
	return queueJSON{
		ID:                      q.ID,
		Name:                    q.Name,
		AutoAssignment:          q.AutoAssignment,
		IsAutoAssignmentEnabled: q.AutoAssignment,
		Strategy:                string(q.Strategy),
		StickyAgent:             q.StickyAgent,
		StickyTimeout:           q.StickyTimeoutSeconds,
		MaxWaitSeconds:          q.MaxWaitSeconds,
		OverflowQueueID:         nullString(q.OverflowQueueID),
		Default:                 q.Default,
		WorkingHoursID:          nullString(q.WorkingHoursID),
		AutoAssignOutside:       q.AutoAssignOutside,
		Members:                 members,
		CreatedAt:               wireTime(q.CreatedAt),
		UpdatedAt:               wireTime(q.UpdatedAt),
	}
}

// ruleJSON is a routing rule on the wire (SPEC §4).
type ruleJSON struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	QueueID   string        `json:"queueId"`
	Priority  *string       `json:"priority"`
	Enabled   bool          `json:"enabled"`
	Condition conditionJSON `json:"condition"`
	// WorkingHoursID is the working hours the rule matches inside of;
	// null for always.
	WorkingHoursID *string `json:"workingHoursId"`
}

// conditionJSON is a rule's condition on the wire; parts not set are left
// out, so an empty condition is {"match": "all"}.
type conditionJSON struct {
	Match         string            `json:"match"`
	Channels      []string          `json:"channels,omitempty"`
	Priorities    []string          `json:"priorities,omitempty"`
	TagsAny       []string          `json:"tagsAny,omitempty"`
	TagsAll       []string          `json:"tagsAll,omitempty"`
	CustomerID    string            `json:"customerId,omitempty"`
	TopicContains string            `json:"topicContains,omitempty"`
	Attributes    map[string]string `json:"attributes,omitempty"`
}

func toRule(r routing.Rule) ruleJSON {
	r = r.Clone()
	c := r.Condition
	match := string(c.Match)
	if match == "" {
		match = string(routing.MatchAll)
	}
	return ruleJSON{
		ID:             r.ID,
		Name:           r.Name,
		QueueID:        r.QueueID,
		Priority:       nullString(string(r.Priority)),
		Enabled:        !r.Disabled,
		WorkingHoursID: nullString(r.WorkingHoursID),
		Condition: conditionJSON{
			Match:         match,
			Channels:      strs(c.Channels),
			Priorities:    strs(c.Priorities),
			TagsAny:       c.TagsAny,
			TagsAll:       c.TagsAll,
			CustomerID:    c.CustomerID,
			TopicContains: c.TopicContains,
			Attributes:    c.Attributes,
		},
	}
}

// rulesJSON is the body of GET and PUT /routing.
type rulesJSON struct {
	Rules []ruleJSON `json:"rules"`
}

func toRules(rules []routing.Rule) rulesJSON {
	out := rulesJSON{Rules: make([]ruleJSON, 0, len(rules))}
	for _, r := range rules {
		out.Rules = append(out.Rules, toRule(r))
	}
	return out
}

// decisionJSON is the answer of simulate-routing.
type decisionJSON struct {
	ID       string  `json:"id"`
	QueueID  *string `json:"queueId"`
	Priority string  `json:"priority"`
}

// eventJSON is an entry of the event log on the wire.
type eventJSON struct {
	Seq            int64        `json:"seq"`
	Type           string       `json:"type"`
	ConversationID *string      `json:"conversationId"`
	EntityID       *string      `json:"entityId"`
	Actor          *string      `json:"actor"`
	At             wireTime     `json:"at"`
	Changes        []changeJSON `json:"changes"`
}

// changeJSON is one changed field of an event; before and after are null
// when the field had (or has) no value.
type changeJSON struct {
	Field  string          `json:"field"`
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
}

func toEvent(e *storage.Event) eventJSON {
	changes := make([]changeJSON, 0, len(e.Changes))
	for _, c := range e.Changes {
		changes = append(changes, changeJSON{Field: c.Field, Before: rawOrNull(c.Before), After: rawOrNull(c.After)})
	}
	return eventJSON{
		Seq:            e.Seq,
		Type:           string(e.Type),
		ConversationID: nullString(e.ConversationID),
		EntityID:       nullString(e.EntityID),
		Actor:          nullString(e.Actor),
		At:             wireTime(e.At),
		Changes:        changes,
	}
}

func rawOrNull(b json.RawMessage) json.RawMessage {
	if len(b) == 0 || !json.Valid(b) {
		return json.RawMessage("null")
	}
	return slices.Clone(b)
}

// successJSON is Infobip's answer to a change it answers with no resource
// (a tag added or removed, a queue membership): {"statusCode": "SUCCESS",
// "message": "..."}.
type successJSON struct {
	StatusCode string `json:"statusCode"`
	Message    string `json:"message"`
}

func success(message string) successJSON {
	return successJSON{StatusCode: "SUCCESS", Message: message}
}

// errorJSON is the body of every error answer (SPEC §8). Field names the
// request field or parameter at fault, for a 400 that has one.
type errorJSON struct {
	StatusCode string `json:"statusCode"`
	Message    string `json:"message"`
	Code       string `json:"code"`
	Field      string `json:"field,omitempty"`
	Status     string `json:"status,omitempty"` // "ERROR" on the routes whose Infobip errors are {"status", "message"}
}

func strs[T ~string](vs []T) []string {
	if len(vs) == 0 {
		return nil
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
