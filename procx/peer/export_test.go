package peer

// The parsers below are unexported: ParseHeader, Conn, Resolve and
// ResolveRequest are their public faces. The external tests and fuzz
// targets reach them by these names.
var (
	ParseV1           = parseV1
	ParseV2           = parseV2
	ParseForwarded    = parseForwarded
	ParseNode         = parseNode
	ParseHopAddr      = parseHopAddr
	ParseRules        = parseRules
	ClientFromRequest = clientFromRequest
	Getsockname       = getsockname
)

type (
	ForwardedElement = forwardedElement
	Node             = node
)
