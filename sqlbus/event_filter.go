package sqlbus

import (
	"context"
	"fmt"
)

// EventFilter returns the event type filter of service's consumer group on
// destination: the event types some version of the service that started
// handles there, sorted. An event of another type is dropped by the group
// (see the package documentation). It creates no table: without
// FilterTable there is no filter. Only cfg.DB and cfg.Dialect are used.
func EventFilter(ctx context.Context, cfg Config, destination, service string) ([]string, error) {
	f, err := filterOf(cfg)
	if err != nil {
		return nil, err
	}
	exists, err := f.exists(ctx)
	var types []string
	if err == nil && exists {
		types, err = f.read(ctx, Topic(destination), service)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlbus: event filter of %q on %q: %w", service, destination, err)
	}
	return types, nil
}

// WidenEventFilter adds types to the event type filter of service's
// consumer group on destination, as a Start of a version of the service
// handling them does: its instances then retry an event of such a type
// they do not handle, for a newer version to take, instead of dropping it.
// Only cfg.DB and cfg.Dialect are used.
func WidenEventFilter(ctx context.Context, cfg Config, destination, service string, types ...string) error {
	f, err := filterOf(cfg)
	if err != nil {
		return err
	}
	if err := f.Widen(ctx, Topic(destination), service, types); err != nil {
		return fmt.Errorf("sqlbus: widen the event filter of %q on %q: %w", service, destination, err)
	}
	return nil
}

// NarrowEventFilter removes types from the event type filter of service's
// consumer group on destination, and returns how many it held, once no
// running version of the service handles them: from then on its instances
// drop an event of such a type instead of retrying and dead-lettering it
// (a running instance once it reads the filter again, within
// cqrs.TypeFilterReread of such an event).
// A version that handles one of them adds it back when it starts. It
// creates no table. Only cfg.DB and cfg.Dialect are used.
func NarrowEventFilter(ctx context.Context, cfg Config, destination, service string, types ...string) (int64, error) {
	f, err := filterOf(cfg)
	if err != nil {
		return 0, err
	}
	exists, err := f.exists(ctx)
	var n int64
	if err == nil && exists {
		n, err = f.remove(ctx, Topic(destination), service, types)
	}
	if err != nil {
		return n, fmt.Errorf("sqlbus: narrow the event filter of %q on %q: %w", service, destination, err)
	}
	return n, nil
}

// filterOf returns the filter store of cfg, once cfg is valid.
func filterOf(cfg Config) (*typeFilter, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &typeFilter{db: cfg.DB, dialect: cfg.Dialect}, nil
}
