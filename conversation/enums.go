package conversation

import (
	"strings"

	"github.com/parleyhq/parley/fault"
)

// Status is where a conversation is in its life.
type Status string

// The statuses. OPEN, WAITING and SOLVED move freely between each other;
// CLOSED is terminal.
const (
	Open    Status = "OPEN"
	Waiting Status = "WAITING"
	Solved  Status = "SOLVED"
	Closed  Status = "CLOSED"
)

// Statuses lists every status in a stable order.
var Statuses = []Status{Open, Waiting, Solved, Closed}

// Valid reports whether s is one of the four statuses.
func (s Status) Valid() bool {
	switch s {
	case Open, Waiting, Solved, Closed:
		return true
	}
	return false
}

// NotClosed returns the statuses of a conversation that still takes
// changes and messages: every status but CLOSED, in the order of Statuses.
// The slice is new: the caller may keep or change it.
func NotClosed() []Status {
	out := make([]Status, 0, len(Statuses)-1)
	for _, s := range Statuses {
		if s != Closed {
			out = append(out, s)
		}
	}
	return out
}

// InProgress reports whether a conversation in status s is still being
// worked on: OPEN or WAITING. Such a conversation counts against its
// assignee's capacity and, unassigned in a queue, waits for an agent; a
// SOLVED or CLOSED one does neither.
func (s Status) InProgress() bool { return s == Open || s == Waiting }

// ParseStatus accepts a status name or its alias from the helpdesk
// vocabulary (open, pending, closed). Anything else is ErrInvalid.
func ParseStatus(s string) (Status, error) {
	switch s {
	case "open":
		return Open, nil
	case "pending":
		return Waiting, nil
	case "closed":
		return Closed, nil
	}
	if st := Status(s); st.Valid() {
		return st, nil
	}
	return "", fault.Invalid("status", "unknown value %q", s)
}

// Alias is the status in the helpdesk vocabulary (open, pending, closed),
// or its own name where that vocabulary has no word (SOLVED): ParseStatus
// reads either back as s, so a status shown in that vocabulary and sent
// back is never another status.
func (s Status) Alias() string {
	switch s {
	case Open:
		return "open"
	case Waiting:
		return "pending"
	case Closed:
		return "closed"
	}
	return string(s)
}

// Priority orders conversations for agents and routing; URGENT is highest.
type Priority string

// The priorities, lowest first.
const (
	Low    Priority = "LOW"
	Normal Priority = "NORMAL"
	High   Priority = "HIGH"
	Urgent Priority = "URGENT"
)

// Priorities lists every priority from lowest to highest.
var Priorities = []Priority{Low, Normal, High, Urgent}

// Rank orders priorities: LOW is 0 and URGENT is 3. An invalid priority
// ranks -1.
func (p Priority) Rank() int {
	switch p {
	case Low:
		return 0
	case Normal:
		return 1
	case High:
		return 2
	case Urgent:
		return 3
	}
	return -1
}

// PriorityOfRank is the inverse of Rank; it returns "" for a rank outside 0..3.
func PriorityOfRank(rank int) Priority {
	if rank < 0 || rank >= len(Priorities) {
		return ""
	}
	return Priorities[rank]
}

// Valid reports whether p is one of the four priorities.
func (p Priority) Valid() bool { return p.Rank() >= 0 }

// ParsePriority accepts a priority name or its helpdesk alias (low, medium,
// high, urgent). Anything else is ErrInvalid.
func ParsePriority(s string) (Priority, error) {
	switch s {
	case "low":
		return Low, nil
	case "medium":
		return Normal, nil
	case "high":
		return High, nil
	case "urgent":
		return Urgent, nil
	}
	if p := Priority(s); p.Valid() {
		return p, nil
	}
	return "", fault.Invalid("priority", "unknown value %q", s)
}

// Alias is the priority in the helpdesk vocabulary (low, medium, high,
// urgent), which ParsePriority reads back as p: NORMAL is medium.
func (p Priority) Alias() string {
	switch p {
	case Low:
		return "low"
	case Normal:
		return "medium"
	case High:
		return "high"
	case Urgent:
		return "urgent"
	}
	return string(p)
}

// Channel is the medium a conversation or message travels on.
type Channel string

// The channels.
const (
	NoChannel              Channel = "NO_CHANNEL"
	SMS                    Channel = "SMS"
	Viber                  Channel = "VIBER"
	ViberBot               Channel = "VIBER_BOT"
	WhatsApp               Channel = "WHATSAPP"
	FacebookMessenger      Channel = "FACEBOOK_MESSENGER"
	InstagramMessaging     Channel = "INSTAGRAM_MESSAGING"
	Telegram               Channel = "TELEGRAM"
	Line                   Channel = "LINE"
	RCS                    Channel = "RCS"
	LiveChat               Channel = "LIVE_CHAT"
	Email                  Channel = "EMAIL"
	GoogleBusinessMessages Channel = "GOOGLE_BUSINESS_MESSAGES"
	AppleBusinessChat      Channel = "APPLE_BUSINESS_CHAT"
	KakaoSangdam           Channel = "KAKAO_SANGDAM"
	TwitterDM              Channel = "TWITTER_DM"
	Voice                  Channel = "VOICE"
	Video                  Channel = "VIDEO"
	Multichannel           Channel = "MULTICHANNEL"
)

// Channels lists every channel.
var Channels = []Channel{
	NoChannel, SMS, Viber, ViberBot, WhatsApp, FacebookMessenger,
	InstagramMessaging, Telegram, Line, RCS, LiveChat, Email,
	GoogleBusinessMessages, AppleBusinessChat, KakaoSangdam, TwitterDM,
	Voice, Video, Multichannel,
}

var channelSet = func() map[Channel]bool {
	m := make(map[Channel]bool, len(Channels))
	for _, c := range Channels {
		m[c] = true
	}
	return m
}()

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return channelSet[c] }

// ParseChannel accepts a channel name or its helpdesk alias (email, chat,
// phone, whatsapp). Anything else is ErrInvalid.
func ParseChannel(s string) (Channel, error) {
	switch s {
	case "email":
		return Email, nil
	case "chat":
		return LiveChat, nil
	case "phone":
		return Voice, nil
	case "whatsapp":
		return WhatsApp, nil
	}
	if c := Channel(s); c.Valid() {
		return c, nil
	}
	return "", fault.Invalid("channel", "unknown value %q", s)
}

// Alias is the channel in the helpdesk vocabulary (email, chat, phone,
// whatsapp), or its own name where that vocabulary has no word (SMS,
// NO_CHANNEL and the rest): ParseChannel reads either back as c.
func (c Channel) Alias() string {
	switch c {
	case Email:
		return "email"
	case LiveChat:
		return "chat"
	case Voice:
		return "phone"
	case WhatsApp:
		return "whatsapp"
	}
	return string(c)
}

// Source is how a conversation came in: through the website's chat
// widget, a phone call, the API, or an email. It is set when the
// conversation is created, by whatever created it, and never changes.
type Source string

// The sources.
const (
	SourceWidget Source = "WIDGET"
	SourcePhone  Source = "PHONE"
	SourceAPI    Source = "API"
	SourceEmail  Source = "EMAIL"
)

// Sources lists every source.
var Sources = []Source{SourceWidget, SourcePhone, SourceAPI, SourceEmail}

// Valid reports whether s is one of the four sources.
func (s Source) Valid() bool {
	switch s {
	case SourceWidget, SourcePhone, SourceAPI, SourceEmail:
		return true
	}
	return false
}

// ParseSource accepts a source name or its helpdesk word (widget, phone,
// api, email). Anything else is ErrInvalid.
func ParseSource(s string) (Source, error) {
	if src := Source(strings.ToUpper(s)); src.Valid() && (s == string(src) || s == src.Alias()) {
		return src, nil
	}
	return "", fault.Invalid("source", "unknown value %q", s)
}

// Alias is the source in the helpdesk vocabulary: its name in lower case.
func (s Source) Alias() string { return strings.ToLower(string(s)) }

// SourceOf is the source of a conversation that a customer's first
// inbound message on channel starts: an email is EMAIL, a call PHONE, the
// website's live chat WIDGET, and every other channel reaches parley
// through the API.
func SourceOf(channel Channel) Source {
	switch channel {
	case Email:
		return SourceEmail
	case Voice:
		return SourcePhone
	case LiveChat:
		return SourceWidget
	}
	return SourceAPI
}
