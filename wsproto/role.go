package wsproto

// Role says which end of the connection the state machine plays. It decides
// masking: a client masks every frame it sends and refuses masked frames, a
// server the reverse (RFC 6455 section 5.1).
type Role uint8

const (
	// Client is the end that sent the opening handshake.
	Client Role = iota
	// Server is the end that accepted it.
	Server
)

func (r Role) String() string {
	if r == Client {
		return "client"
	}
	return "server"
}
