package encryption

// Flags of a version 2 header. A header with a flag this release does not
// know is refused as malformed (ErrTampered), which is why a flag is set
// only on messages that need it: see flagPayloadVersion.
const (
	// flagSigned marks a signed message: the payload travels in clear and
	// Header.MAC authenticates it.
	flagSigned byte = 1
	// flagPayloadVersion marks a message that carries a payload version
	// (see Header.PayloadVersioned). Releases before it refuse a header
	// with it and read one without it as they always did, so only a
	// message of a type that declares a payload version carries it: that
	// type's consumers are upgraded before its senders declare one.
	flagPayloadVersion byte = 2
	// knownFlags are the flags this release reads.
	knownFlags = flagSigned | flagPayloadVersion
)

// flags returns the flags byte of a version 2 header h.
func (h Header) flags() byte {
	var flags byte
	if h.Signed {
		flags |= flagSigned
	}
	if h.PayloadVersioned {
		flags |= flagPayloadVersion
	}
	return flags
}
