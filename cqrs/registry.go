package cqrs

import (
	"fmt"
	"reflect"
	"sort"
	"sync"

	"github.com/sourceflow-go/sourceflow"
)

// typeInfo is one registered logical type.
type typeInfo struct {
	name        string
	kind        sourceflow.Kind
	goType      reflect.Type
	destination string
	aliases     []string // older names of the type (Aliases)
	shape       payloadShape
	validates   bool // it or its pointer has a Validate method (validateMessage)
}

// registry maps logical type names, and their aliases, to Go types and
// destinations (byName holds both, each alias to its type's info). It is
// written while a service is wired and read concurrently afterwards.
type registry struct {
	mu         sync.RWMutex
	byName     map[string]*typeInfo
	byType     map[reflect.Type]*typeInfo
	destKind   map[string]sourceflow.Kind
	registered []*typeInfo
	retired    map[string]bool // names declared retired (RetireType)
}

func newRegistry() *registry {
	return &registry{
		byName:   map[string]*typeInfo{},
		byType:   map[reflect.Type]*typeInfo{},
		destKind: map[string]sourceflow.Kind{},
		retired:  map[string]bool{},
	}
}

func (r *registry) add(name string, kind sourceflow.Kind, t reflect.Type, destination string, shape payloadShape, aliases ...string) error {
	if name == "" {
		return fmt.Errorf("%w: empty type name for %v", ErrInvalidRegistration, t)
	}
	if destination == "" {
		return fmt.Errorf("%w: empty destination for %q", ErrInvalidRegistration, name)
	}
	if t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface {
		return fmt.Errorf("%w: %q must be registered with a value type, not %v", ErrInvalidRegistration, name, t)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.checkNames(name, aliases); err != nil {
		return err
	}
	if prev, ok := r.byType[t]; ok {
		return fmt.Errorf("%w: %v already registered as %q", ErrDuplicateType, t, prev.name)
	}
	if k, ok := r.destKind[destination]; ok && k != kind {
		return fmt.Errorf("%w: destination %q carries %ss, cannot carry %s %q",
			ErrInvalidRegistration, destination, k, kind, name)
	}
	info := &typeInfo{name: name, kind: kind, goType: t, destination: destination, aliases: aliases, shape: shape,
		validates: hasValidate(t)}
	for _, n := range append([]string{name}, aliases...) {
		r.byName[n] = info
	}
	r.byType[t] = info
	r.destKind[destination] = kind
	r.registered = append(r.registered, info)
	return nil
}

// checkNames refuses a name or alias that is empty, retired or already
// registered (as a name or an alias), and an alias given twice.
func (r *registry) checkNames(name string, aliases []string) error {
	seen := map[string]bool{}
	for i, n := range append([]string{name}, aliases...) {
		what := "name"
		if i > 0 {
			what = "alias"
		}
		switch prev, ok := r.byName[n]; {
		case n == "":
			return fmt.Errorf("%w: empty %s for %q", ErrInvalidRegistration, what, name)
		case ok:
			return fmt.Errorf("%w: %s %q already registered for %v", ErrDuplicateType, what, n, prev.goType)
		case r.retired[n]:
			return fmt.Errorf("%w: %s %q is declared retired (RetireType)", ErrInvalidRegistration, what, n)
		case seen[n]:
			return fmt.Errorf("%w: %s %q given twice for %q", ErrDuplicateType, what, n, name)
		}
		seen[n] = true
	}
	return nil
}

// retire declares name retired: a type no longer registered whose stored
// commands replay skips.
func (r *registry) retire(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty type name to retire", ErrInvalidRegistration)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if prev, ok := r.byName[name]; ok {
		return fmt.Errorf("%w: %q is registered for %v and cannot be retired", ErrInvalidRegistration, name, prev.goType)
	}
	r.retired[name] = true
	return nil
}

func (r *registry) isRetired(name string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.retired[name]
}

// ofValue returns the registration of v's type (a value or a pointer to one).
func (r *registry) ofValue(v any) (*typeInfo, error) {
	t := reflect.TypeOf(v)
	if t == nil {
		return nil, fmt.Errorf("%w: nil message", ErrNotRegistered)
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return r.ofType(t)
}

func (r *registry) ofType(t reflect.Type) (*typeInfo, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	info, ok := r.byType[t]
	if !ok && t.Kind() == reflect.Pointer && r.byType[t.Elem()] != nil {
		return nil, fmt.Errorf("%w: Go type %v (%v is registered: a handler takes a command or an event by value, not by pointer)",
			ErrNotRegistered, t, t.Elem())
	}
	if !ok {
		return nil, fmt.Errorf("%w: Go type %v (register it with cqrs.RegisterCommand or cqrs.RegisterEvent)", ErrNotRegistered, t)
	}
	return info, nil
}

func (r *registry) ofName(name string) (*typeInfo, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	info, ok := r.byName[name]
	return info, ok
}

func (r *registry) kindOf(destination string) (sourceflow.Kind, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	k, ok := r.destKind[destination]
	return k, ok
}

// routes returns every registration as a route, in registration order.
func (r *registry) routes() []sourceflow.Route {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]sourceflow.Route, 0, len(r.registered))
	for _, info := range r.registered {
		out = append(out, sourceflow.Route{Type: info.name, Kind: info.kind, Destination: info.destination})
	}
	return out
}

// destinations returns the sorted set of registered destinations.
func (r *registry) destinations() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.destKind))
	for d := range r.destKind {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}
