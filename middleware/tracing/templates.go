package tracing

import (
	"sync"

	"go.opentelemetry.io/otel/trace"
)

// maxTemplates bounds the template cache. Destinations are few in a
// service; past the bound, templates are built per span.
const maxTemplates = 1024

// template is what every span of one operation on one destination through
// one system starts with: its name, kind and destination attributes, built once so starting
// a span allocates no options.
type template struct {
	name string
	opts []trace.SpanStartOption
}

type templateKey struct{ operation, destination, system string }

// templates caches the template per operation, destination and system.
type templates struct {
	mu    sync.RWMutex
	byKey map[templateKey]*template
}

// template returns the template of operation on destination through system.
func (t *Tracing) template(operation, destination, system string) *template {
	k := templateKey{operation, destination, system}
	t.templates.mu.RLock()
	tpl, ok := t.templates.byKey[k]
	t.templates.mu.RUnlock()
	if ok {
		return tpl
	}
	kind := trace.SpanKindProducer
	if operation == operationProcess {
		kind = trace.SpanKindConsumer
	}
	opts := []trace.SpanStartOption{trace.WithSpanKind(kind)}
	if t.recording {
		opts = append(opts, trace.WithAttributes(destinationAttributes(operation, destination, system)...))
	}
	tpl = &template{name: spanName(operation, destination), opts: opts}
	t.templates.mu.Lock()
	defer t.templates.mu.Unlock()
	if prev, ok := t.templates.byKey[k]; ok {
		return prev
	}
	if len(t.templates.byKey) < maxTemplates {
		if t.templates.byKey == nil {
			t.templates.byKey = map[templateKey]*template{}
		}
		t.templates.byKey[k] = tpl
	}
	return tpl
}
