package cqrs

import (
	"errors"
	"fmt"
	"slices"
)

// ErrUpcast is returned when an upcaster (Upcast, UpcastAlias) fails on a
// received, replayed or re-raised payload: a permanent failure, its
// message dead-lettered at once with the upcaster's reason.
var ErrUpcast = errors.New("cqrs: payload does not upcast")

// UpcastFunc turns a payload, as the codec encoded it, into the next shape
// of its type. An error is permanent: its message is dead-lettered at once
// with it as the reason.
type UpcastFunc func(raw []byte) ([]byte, error)

// upcaster is one Upcast or UpcastAlias option.
type upcaster struct {
	from  int    // the payload version it upcasts from (Upcast)
	alias string // the older name it upcasts from (UpcastAlias); "" for Upcast
	fn    UpcastFunc
}

// PayloadVersion declares the version of a registered type's payload
// shape; the default is 0. Raise it in a release that renames or
// restructures a field in place, with an Upcast from the previous
// version: every message sent is stamped with the version of its type
// (metadata sourceflow.MetaPayloadVersion, written only above 0, so
// messages of version 0 travel as before), and a consumer of a higher
// version upcasts an older message before decoding it. A message of a
// higher version than the consumer's is decoded as it is, as before: deploy
// readers before writers. Never lower it.
func PayloadVersion(v int) RegisterOption {
	return RegisterOption{version: &v}
}

// Upcast gives a registered type an upcaster from payload version from to
// from+1 (see PayloadVersion). A message of version v is brought to the
// type's version by each upcaster from v up, in turn, before it is decoded
// for a handler: delivered, replayed from the CommandStore, or raised again
// from a saga's remembered events (each carries the version it was sent or
// remembered with). A version without an upcaster passes unchanged (a field
// added needs none). from must be below the type's PayloadVersion.
func Upcast(from int, fn UpcastFunc) RegisterOption {
	return RegisterOption{upcasts: []upcaster{{from: from, fn: fn}}}
}

// UpcastAlias gives a registered type an upcaster from the shape its
// payloads had under alias, one of its Aliases, to the type's shape of the
// same payload version; Upcast's upcasters then take it on to the type's
// version. It applies wherever Upcast's do.
func UpcastAlias(alias string, fn UpcastFunc) RegisterOption {
	return RegisterOption{upcasts: []upcaster{{alias: alias, fn: fn}}}
}

// payloadShape is a registered type's payload version and upcasters.
type payloadShape struct {
	version   int
	byVersion map[int]UpcastFunc
	byAlias   map[string]UpcastFunc
}

// shapeOf gathers the payload version and upcasters of type name, with
// aliases, from opts; a negative version, an upcaster that is nil, given
// twice, from a version not below the type's or from a name that is not
// one of aliases is ErrInvalidRegistration.
func shapeOf(name string, aliases []string, opts []RegisterOption) (payloadShape, error) {
	shape := payloadShape{byVersion: map[int]UpcastFunc{}, byAlias: map[string]UpcastFunc{}}
	for _, o := range opts {
		if o.version != nil {
			shape.version = *o.version
		}
	}
	if shape.version < 0 {
		return shape, fmt.Errorf("%w: %q: PayloadVersion %d is negative", ErrInvalidRegistration, name, shape.version)
	}
	for _, o := range opts {
		for _, u := range o.upcasts {
			if err := shape.add(name, aliases, u); err != nil {
				return shape, err
			}
		}
	}
	return shape, nil
}

func (p payloadShape) add(name string, aliases []string, u upcaster) error {
	what := fmt.Sprintf("Upcast from version %d", u.from)
	if u.alias != "" {
		what = fmt.Sprintf("UpcastAlias %q", u.alias)
	}
	_, twice := p.byVersion[u.from]
	if u.alias != "" {
		_, twice = p.byAlias[u.alias]
	}
	switch {
	case u.fn == nil:
		return fmt.Errorf("%w: %q: %s is nil", ErrInvalidRegistration, name, what)
	case twice:
		return fmt.Errorf("%w: %q: %s given twice", ErrInvalidRegistration, name, what)
	case u.alias != "" && !slices.Contains(aliases, u.alias):
		return fmt.Errorf("%w: %q: %s is not one of its Aliases", ErrInvalidRegistration, name, what)
	case u.alias == "" && (u.from < 0 || u.from >= p.version):
		return fmt.Errorf("%w: %q: %s, outside 0 to its PayloadVersion %d less one", ErrInvalidRegistration, name, what, p.version)
	case u.alias != "":
		p.byAlias[u.alias] = u.fn
	default:
		p.byVersion[u.from] = u.fn
	}
	return nil
}

// upcast brings payload, sent as type sentAs (the type's name or an alias)
// at version, to the type's shape and version, name being the type's name.
func (p payloadShape) upcast(name, sentAs string, version int, payload []byte) ([]byte, error) {
	var err error
	if fn := p.byAlias[sentAs]; fn != nil {
		if payload, err = fn(payload); err != nil {
			return nil, fmt.Errorf("%w: %q from %q: %w", ErrUpcast, name, sentAs, err)
		}
	}
	for v := version; v < p.version; v++ {
		if fn := p.byVersion[v]; fn != nil {
			if payload, err = fn(payload); err != nil {
				return nil, fmt.Errorf("%w: %q from version %d: %w", ErrUpcast, name, v, err)
			}
		}
	}
	return payload, nil
}
