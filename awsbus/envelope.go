package awsbus

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/errtext"
	"github.com/sourceflow-go/sourceflow/internal/jsonerr"
)

// UnpackAttributes reads the string attributes of a received SQS message as
// every awsbus consumer does, and as `sourceflow dlq` reads dead letters: the
// attributes with the packed envelope (sourceflow.MetaEnvelope) unpacked in
// its place, and the Watermill UUID the envelope carries, else fallbackUUID
// (a consumer gives the SQS MessageId). The consume markers stay in the
// metadata; an attribute wins over a consume marker packed under its name.
// The error wraps ErrMalformedMessage, and the
// envelope is left unread (the metadata are the attributes alone), when the
// envelope is not a JSON object of strings or holds a key it never carries:
//
//   - sourceflow.MetaType or sourceflow.MetaEnvelope: marshal sends them as
//     attributes, and SNS filter policies match the sf_type attribute, so a
//     packed one would let the handled type differ from the filtered one;
//   - a key that is also an attribute (consume markers aside): the two would
//     be read differently by different readers.
//
// Any other key becomes metadata, so that a key a later release packs
// reaches the handlers of this one during a rolling upgrade, and a
// dead-letter copy of another producer's message keeps the attributes it
// packed.
func UnpackAttributes(attrs map[string]string, fallbackUUID string) (metadata map[string]string, uuid string, err error) {
	raw, ok := attrs[sourceflow.MetaEnvelope]
	if !ok {
		return withoutEnvelope(attrs, 0), fallbackUUID, nil
	}
	env, jerr := unpackEnvelope(raw)
	if jerr != nil {
		return withoutEnvelope(attrs, 0), fallbackUUID, fmt.Errorf("%w: attribute %s is not a JSON object of strings: %s", ErrMalformedMessage, sourceflow.MetaEnvelope, jsonerr.Describe(jerr))
	}
	if err := checkEnvelope(env, attrs); err != nil {
		return withoutEnvelope(attrs, 0), fallbackUUID, err
	}
	md := withoutEnvelope(attrs, len(env))
	for k, v := range env {
		if _, set := md[k]; k != envelopeUUID && !set {
			md[k] = v
		}
	}
	if id, ok := env[envelopeUUID]; ok {
		return md, id, nil
	}
	return md, fallbackUUID, nil
}

// withoutEnvelope returns a copy of attrs without the packed envelope, with
// room for extra more keys.
func withoutEnvelope(attrs map[string]string, extra int) map[string]string {
	md := make(map[string]string, len(attrs)+extra)
	for k, v := range attrs {
		if k != sourceflow.MetaEnvelope {
			md[k] = v
		}
	}
	return md
}

// checkEnvelope returns the error of the first key, in name order, that the
// packed envelope env may not hold beside the attributes attrs (see
// UnpackAttributes). It runs on every received message, so it finds that
// key in one pass instead of sorting the keys.
func checkEnvelope(env, attrs map[string]string) error {
	first, why := "", ""
	for k := range env {
		if w := envelopeConflict(k, attrs); w != "" && (why == "" || k < first) {
			first, why = k, w
		}
	}
	if why == "" {
		return nil
	}
	return fmt.Errorf("%w: attribute %s holds the key %s, %s", ErrMalformedMessage, sourceflow.MetaEnvelope,
		errtext.Quote(first, sourceflow.MaxCorrelationIDLen), why)
}

// envelopeConflict says why the packed envelope may not hold the key k
// beside the attributes attrs, or "" when it may.
func envelopeConflict(k string, attrs map[string]string) string {
	switch {
	case k == envelopeUUID, sourceflow.IsConsumeMarker(k):
		return ""
	case attributeOnly(k):
		return "which is only ever sent as an attribute of its own"
	}
	if _, repeated := attrs[k]; repeated {
		return "which is also an attribute of the message"
	}
	return ""
}

// attributeOnly reports whether the key k is only ever sent as an attribute
// of its own, never in the packed envelope: the envelope itself, and the
// type, which SNS filter policies match as an attribute. UnpackAttributes
// refuses an envelope holding one; a dead letter never packs one.
func attributeOnly(k string) bool {
	return k == sourceflow.MetaType || k == sourceflow.MetaEnvelope
}
