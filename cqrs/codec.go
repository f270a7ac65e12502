package cqrs

import (
	"encoding/json"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
)

// Codec encodes payloads into message bodies and back.
type Codec interface {
	// Marshal encodes v. A message a handler sends or raises that Marshal
	// fails to encode fails the handler, whose message is redelivered; a
	// codec whose failure lasts (v cannot be encoded) says so with
	// sourceflow.Permanent, and the message is dead-lettered at once.
	Marshal(v any) ([]byte, error)
	// Unmarshal decodes data into v, a non-nil pointer.
	Unmarshal(data []byte, v any) error
}

// JSONCodec is the default Codec: encoding/json.
type JSONCodec struct{}

// Marshal encodes v as JSON.
func (JSONCodec) Marshal(v any) ([]byte, error) { return json.Marshal(v) }

// Unmarshal decodes JSON data into v.
func (JSONCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// encodeError is the error of codec failing to encode a message of type
// name. JSONCodec fails the same way on every try (an unsupported type or
// value), so its error is marked sourceflow.Permanent; another codec's
// stands as it returned it, since it may pass (one that fetches a key or a
// schema over the network).
func encodeError(codec Codec, name string, err error) error {
	err = fmt.Errorf("cqrs: encode %q: %w", name, err)
	switch codec.(type) {
	case JSONCodec, *JSONCodec:
		return sourceflow.Permanent(err)
	}
	return err
}

// encodeMessage encodes v, a registered message of kind want; check, unless
// nil, vets v's registration first, and v's own Validate method, if it has
// one, its payload. Its errors (v nil, not registered, of the other kind,
// refused by check or by Validate, or not encodable by JSONCodec) are the
// sender's mistakes, which no redelivery of a message whose handler sent or
// raised v cures: they are marked sourceflow.Permanent, so that its message
// is dead-lettered at once, with the reason. Another codec's failure is its
// own to mark (see encodeError).
func (s *Service) encodeMessage(v any, want sourceflow.Kind, check func(*typeInfo) error) (*typeInfo, []byte, error) {
	info, err := s.types.ofValue(v)
	if err != nil {
		return nil, nil, sourceflow.Permanent(err)
	}
	if info.kind != want {
		return nil, nil, sourceflow.Permanent(&kindError{name: info.name, want: want, got: info.kind})
	}
	if check != nil {
		if err := check(info); err != nil {
			return nil, nil, sourceflow.Permanent(err)
		}
	}
	if info.validates {
		if err := validateMessage(info.name, v); err != nil {
			return nil, nil, sourceflow.Permanent(err)
		}
	}
	payload, err := s.cfg.Codec.Marshal(v)
	if err != nil {
		return nil, nil, encodeError(s.cfg.Codec, info.name, err)
	}
	return info, payload, nil
}
