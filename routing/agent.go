package routing

import (
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
)

// Limits on agent fields.
const (
	MaxIDLen          = conversation.MaxIDLen // one id rule for every entity
	MaxDisplayNameLen = 255
	DefaultCapacity   = 5
	MaxCapacity       = 1000
	MaxWrapUpSeconds  = 86400
)

// Role decides what an agent may reply to (see the message package).
type Role string

// The roles.
const (
	RoleAgent      Role = "AGENT"
	RoleSupervisor Role = "SUPERVISOR"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAgent || r == RoleSupervisor }

// ParseRole accepts a role name; anything else is ErrInvalid.
func ParseRole(s string) (Role, error) {
	if r := Role(s); r.Valid() {
		return r, nil
	}
	return "", fault.Invalid("role", "unknown value %q", s)
}

// AgentStatus is an agent's presence. Only ACTIVE agents get conversations
// automatically.
type AgentStatus string

// The agent statuses.
const (
	Active    AgentStatus = "ACTIVE"
	Busy      AgentStatus = "BUSY"
	Away      AgentStatus = "AWAY"
	Invisible AgentStatus = "INVISIBLE"
)

// Valid reports whether s is a known agent status.
func (s AgentStatus) Valid() bool {
	switch s {
	case Active, Busy, Away, Invisible:
		return true
	}
	return false
}

// ParseAgentStatus accepts an agent status name; anything else is ErrInvalid.
func ParseAgentStatus(s string) (AgentStatus, error) {
	if st := AgentStatus(s); st.Valid() {
		return st, nil
	}
	return "", fault.Invalid("status", "unknown value %q", s)
}

// Agent is a person (or bot) who handles conversations. The zero value of
// every field is its default except DisplayName, which is required: an agent
// is enabled unless Disabled is set, which is why the field is negative.
type Agent struct {
	ID            string
	DisplayName   string
	Role          Role        // default AGENT
	Status        AgentStatus // default INVISIBLE
	Disabled      bool        // "enabled": false on the wire
	Capacity      int         // maximum concurrent OPEN or WAITING conversations; 0 means DefaultCapacity
	WrapUpSeconds int         // no auto-assignment for this long after one of the agent's conversations closes

	// CallWrapUpSeconds is the agent's own wrap-up after a call (Infobip's
	// agent wrap-up config); nil defers to the account's (see package call).
	CallWrapUpSeconds *int

	Queues []string // ids of the queues the agent is a member of, sorted; read-only

	LastAssignedAt time.Time // when the agent last got a conversation; zero if never
	WrapUpUntil    time.Time // the agent gets no auto-assignment before this time

	CreatedAt time.Time
	UpdatedAt time.Time
}

// Enabled reports whether the agent is enabled.
func (a *Agent) Enabled() bool { return !a.Disabled }

// Clone returns a deep copy.
func (a *Agent) Clone() *Agent {
	if a == nil {
		return nil
	}
	cp := *a
	cp.Queues = slices.Clone(a.Queues)
	if a.CallWrapUpSeconds != nil {
		n := *a.CallWrapUpSeconds
		cp.CallWrapUpSeconds = &n
	}
	return &cp
}

// NewAgent builds an agent from input: it applies defaults, checks every
// field and stamps id and times. The input's own ID wins over id when set.
// Queues and the routing state in the input are ignored.
func NewAgent(in Agent, id string, now time.Time) (*Agent, error) {
	a := &Agent{
		ID:            in.ID,
		DisplayName:   in.DisplayName,
		Role:          in.Role,
		Status:        in.Status,
		Disabled:      in.Disabled,
		Capacity:      in.Capacity,
		WrapUpSeconds: in.WrapUpSeconds,
		CreatedAt:     now,
		UpdatedAt:     now,
	}
	if a.ID == "" {
		a.ID = id
	}
	if a.Role == "" {
		a.Role = RoleAgent
	}
	if a.Status == "" {
		a.Status = Invisible
	}
	if a.Capacity == 0 {
		a.Capacity = DefaultCapacity
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return a, nil
}

// Validate checks every field.
func (a *Agent) Validate() error {
	if err := fault.Identifier("id", a.ID, MaxIDLen); err != nil {
		return err
	}
	if err := validateDisplayName(a.DisplayName); err != nil {
		return err
	}
	if !a.Role.Valid() {
		return fault.Invalid("role", "unknown value %q", a.Role)
	}
	if !a.Status.Valid() {
		return fault.Invalid("status", "unknown value %q", a.Status)
	}
	if err := validateCapacity(a.Capacity); err != nil {
		return err
	}
	if err := validateWrapUp(a.WrapUpSeconds); err != nil {
		return err
	}
	if a.CallWrapUpSeconds != nil {
		return validateWrapUp(*a.CallWrapUpSeconds)
	}
	return nil
}

func validateDisplayName(s string) error {
	if s == "" {
		return fault.Invalid("displayName", "is required")
	}
	return fault.Text("displayName", s, MaxDisplayNameLen)
}

func validateCapacity(n int) error {
	if n < 0 || n > MaxCapacity {
		return fault.Invalid("capacity", "must be between 0 and %d", MaxCapacity)
	}
	return nil
}

func validateWrapUp(n int) error {
	if n < 0 || n > MaxWrapUpSeconds {
		return fault.Invalid("wrapUpSeconds", "must be between 0 and %d", MaxWrapUpSeconds)
	}
	return nil
}

// AgentPatch is a partial update of an agent; nil fields stay as they are.
// A Capacity of 0 restores DefaultCapacity.
type AgentPatch struct {
	DisplayName   *string
	Role          *Role
	Status        *AgentStatus
	Disabled      *bool
	Capacity      *int
	WrapUpSeconds *int
}

// Validate checks every field the patch sets.
func (p AgentPatch) Validate() error {
	if p.DisplayName != nil {
		if err := validateDisplayName(*p.DisplayName); err != nil {
			return err
		}
	}
	if p.Role != nil && !p.Role.Valid() {
		return fault.Invalid("role", "unknown value %q", *p.Role)
	}
	if p.Status != nil && !p.Status.Valid() {
		return fault.Invalid("status", "unknown value %q", *p.Status)
	}
	if p.Capacity != nil {
		if err := validateCapacity(*p.Capacity); err != nil {
			return err
		}
	}
	if p.WrapUpSeconds != nil {
		if err := validateWrapUp(*p.WrapUpSeconds); err != nil {
			return err
		}
	}
	return nil
}

// Apply validates the patch and applies it to a at time now, reporting
// whether anything changed (only then is UpdatedAt bumped). On error a is
// unchanged.
func (p AgentPatch) Apply(a *Agent, now time.Time) (changed bool, err error) {
	if err := p.Validate(); err != nil {
		return false, err
	}
	before := *a
	setIf(&a.DisplayName, p.DisplayName)
	setIf(&a.Role, p.Role)
	setIf(&a.Status, p.Status)
	setIf(&a.Disabled, p.Disabled)
	setIf(&a.WrapUpSeconds, p.WrapUpSeconds)
	if p.Capacity != nil {
		a.Capacity = *p.Capacity
		if a.Capacity == 0 {
			a.Capacity = DefaultCapacity
		}
	}
	if len(DiffAgents(&before, a)) == 0 {
		return false, nil
	}
	a.UpdatedAt = now
	return true, nil
}

// Change is one changed field of an agent or queue: its wire name and the
// values before and after.
type Change struct {
	Field  string
	Before any
	After  any
}

// DiffAgents lists the configurable fields that differ between a and b.
func DiffAgents(a, b *Agent) []Change {
	var out []Change
	add := func(field string, x, y any) {
		if x != y {
			out = append(out, Change{field, x, y})
		}
	}
	add("displayName", a.DisplayName, b.DisplayName)
	add("role", string(a.Role), string(b.Role))
	add("status", string(a.Status), string(b.Status))
	add("enabled", !a.Disabled, !b.Disabled)
	add("capacity", a.Capacity, b.Capacity)
	add("wrapUpSeconds", a.WrapUpSeconds, b.WrapUpSeconds)
	if x, y := a.CallWrapUpSeconds, b.CallWrapUpSeconds; (x == nil) != (y == nil) || x != nil && *x != *y {
		out = append(out, Change{"callWrapUpSeconds", optInt(x), optInt(y)})
	}
	return out
}

func setIf[T comparable](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func optionalID(field, id string) error {
	if id == "" {
		return nil
	}
	return fault.Identifier(field, id, MaxIDLen)
}

// optInt is *p as a change value: nil (JSON null) when p is nil.
func optInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// FoldDisplayName is the case folding under which "display name contains"
// matches: both the name and the needle are folded with it. Stores that
// search in SQL store the folded name beside the name, so every store
// agrees with DisplayNameContains.
func FoldDisplayName(s string) string { return strings.ToLower(s) }

// DisplayNameContains reports whether name contains needle, ignoring case.
func DisplayNameContains(name, needle string) bool {
	return strings.Contains(FoldDisplayName(name), FoldDisplayName(needle))
}
