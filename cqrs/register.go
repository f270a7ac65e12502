package cqrs

import (
	"context"
	"reflect"
	"strings"

	"github.com/sourceflow-go/sourceflow"
)

// RegisterCommand registers command type C under the logical name and routes
// it to destination. Names are explicit and stable (e.g. "orders.CreateOrder"),
// never derived from Go type names. Registering a name or a type twice is
// ErrDuplicateType. Aliases gives the type older names; PayloadVersion,
// Upcast and UpcastAlias let its handlers take payloads of older shapes.
func RegisterCommand[C any](s *Service, name, destination string, opts ...RegisterOption) error {
	return s.register(name, sourceflow.KindCommand, reflect.TypeFor[C](), destination, opts)
}

// RegisterEvent registers event type E under the logical name and routes it
// to destination.
func RegisterEvent[E any](s *Service, name, destination string, opts ...RegisterOption) error {
	return s.register(name, sourceflow.KindEvent, reflect.TypeFor[E](), destination, opts)
}

// RegisterOption adds to a registration (RegisterCommand, RegisterEvent).
type RegisterOption struct {
	aliases []string
	version *int       // PayloadVersion
	upcasts []upcaster // Upcast, UpcastAlias
}

// Aliases gives a registered type older logical names, so that a type can
// be renamed across a rolling deploy: a message of an older name is
// handled as one of the type when it is delivered (on the type's
// destination), replayed (a stored command) or raised again from a saga's
// remembered events, and its handlers see the type's name in the
// envelope. Sends use the type's name only, except that a saga raises
// again a remembered event under the name it was remembered with (the same
// message, id and type, for consumers' idempotency). An alias is listened to as the
// name is (an SNS filter policy names it too). An alias already registered
// (as a name or an alias) is ErrDuplicateType; an empty or retired one
// (RetireType) is ErrInvalidRegistration.
func Aliases(names ...string) RegisterOption {
	return RegisterOption{aliases: names}
}

func aliasesOf(opts []RegisterOption) []string {
	var out []string
	for _, o := range opts {
		out = append(out, o.aliases...)
	}
	return out
}

// typeInfoOf returns the registration of T, checking its kind.
func typeInfoOf[T any](s *Service, kind sourceflow.Kind) (*typeInfo, error) {
	info, err := s.types.ofType(reflect.TypeFor[T]())
	if err != nil {
		return nil, err
	}
	if info.kind != kind {
		return nil, &kindError{name: info.name, want: kind, got: info.kind}
	}
	return info, nil
}

// addTypedHandler registers, named owner/<type name>, the handler that
// decodes a message of type T (registered as kind) and runs fn on it. store
// is what fn writes: the handler joins a transaction the handling context
// carries when store can, and warns at its first handling in one when
// store is a MemoryStore (see memoryWarning).
func addTypedHandler[T any](s *Service, kind sourceflow.Kind, owner string, store any,
	fn func(ctx context.Context, v T, env Envelope) error) error {
	info, err := typeInfoOf[T](s, kind)
	if err != nil {
		return err
	}
	// A replayed message is not validated: stored history is fact, and a
	// Validate added since it was stored must not stop its replay.
	run := func(ctx context.Context, env Envelope, payload []byte) error {
		v, err := decode[T](s.cfg.Codec, env, payload, info.validates && !env.Replay)
		if err != nil {
			return err
		}
		return fn(ctx, v, env)
	}
	return s.addHandler(info, boundHandler{name: owner + "/" + info.name, run: run, inTx: joiner(store),
		warned: memoryWarning(store)})
}

type kindError struct {
	name      string
	want, got sourceflow.Kind
}

func (e *kindError) Error() string {
	return "cqrs: " + e.name + " is registered as " + withArticle(e.got) + ", not " + withArticle(e.want)
}

// withArticle returns kind with its indefinite article: "a command", "an
// event".
func withArticle(kind sourceflow.Kind) string {
	name := kind.String()
	if strings.ContainsRune("aeiou", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}

func (e *kindError) Unwrap() error { return ErrInvalidRegistration }

// RetireType declares name a command type this service no longer registers
// but whose commands its CommandStore still holds (the store keeps them for
// ever): Replay skips them on purpose and counts them in
// ReplayReport.Retired, so the rebuilt saga state and view models lack
// their effects. Without it Replay refuses an entity with a stored command
// of a type not registered (ErrUnknownType). A registered name cannot be
// retired, nor a retired one registered (ErrInvalidRegistration). To
// retire a type that had aliases (Aliases), retire each of its names: its
// commands are stored under the name they were sent with. Like
// registrations, RetireType is called before Start.
func RetireType(s *Service, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkChangeable(); err != nil {
		return err
	}
	return s.types.retire(name)
}
