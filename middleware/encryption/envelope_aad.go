package encryption

import (
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// authenticatedKeys are the metadata keys a version 2 header authenticates
// with the payload, in this order: the message's envelope. Changing any of
// them in transit (a captured command sent again for another entity, with
// another message id, sequence or type, or marked as a replay so that its
// effects are skipped) fails authentication.
var authenticatedKeys = [...]string{
	sourceflow.MetaMessageID, sourceflow.MetaEntityID, sourceflow.MetaSequence, sourceflow.MetaType,
	sourceflow.MetaOccurredAt, sourceflow.MetaCorrelationID, sourceflow.MetaCausationID, sourceflow.MetaReplay,
}

// appendEnvelope appends the values of the authenticated keys of md to b,
// each length-prefixed: an absent key reads as an empty value. With
// versioned (a header that authenticates the payload version,
// Header.PayloadVersioned) its value follows, length-prefixed too; without
// it the bytes are those of releases before the payload version was
// authenticated.
func appendEnvelope(b []byte, md message.Metadata, versioned bool) []byte {
	for _, k := range authenticatedKeys {
		b = appendField(b, []byte(md[k]))
	}
	if versioned {
		b = appendField(b, []byte(md[sourceflow.MetaPayloadVersion]))
	}
	return b
}

// envelopeLen is the number of bytes appendEnvelope appends.
func envelopeLen(md message.Metadata, versioned bool) int {
	n := 0
	for _, k := range authenticatedKeys {
		n += fieldLen(len(md[k]))
	}
	if versioned {
		n += fieldLen(len(md[sourceflow.MetaPayloadVersion]))
	}
	return n
}

// carriesPayloadVersion reports whether md names a payload version other
// than 0, which a consumer would upcast from: a value other than empty or
// "0" (cqrs writes none for version 0).
func carriesPayloadVersion(md message.Metadata) bool {
	v := md[sourceflow.MetaPayloadVersion]
	return v != "" && v != "0"
}

// checkPayloadVersion refuses a message that carries a payload version its
// header does not authenticate: the flag was cleared, or the version added
// to a message sent without one, either to have the payload upcast from a
// version it is not of. It needs no data key.
func checkPayloadVersion(h Header, md message.Metadata) error {
	if h.PayloadVersioned || !carriesPayloadVersion(md) {
		return nil
	}
	return fmt.Errorf("%w: the message carries a payload version (metadata %s %s) that its version %d header does not authenticate",
		ErrTampered, sourceflow.MetaPayloadVersion, quotedText(md[sourceflow.MetaPayloadVersion]), h.Version)
}
