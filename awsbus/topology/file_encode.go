package topology

import (
	"bytes"
	"fmt"
	"io"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/sourceflow-go/sourceflow"
)

// fileHeader opens every file NewFile's Encode writes.
const fileHeader = "# SourceFlow topology file: read by `sourceflow plan|apply|validate|health -f FILE`.\n"

// NewFile returns the topology file of a running configuration: the
// service's Binding and the Options its plan is derived with. It fails, as
// New does, when they do not give a valid Plan. Options are written with
// their defaults applied; an EventQueueName function is written as the
// event queue name of each listened topic.
func NewFile(b sourceflow.Binding, opts Options) (File, error) {
	plan, err := New(b, opts)
	if err != nil {
		return File{}, err
	}
	opts.setDefaults()
	f := File{
		Version:    FileVersion,
		Service:    b.Service,
		Queues:     FileQueues{VisibilityTimeout: opts.VisibilityTimeout, WaitTime: opts.WaitTime},
		DeadLetter: FileDeadLetter{MaxReceiveCount: opts.MaxReceiveCount},
		Encryption: FileEncryption{KMSKeyID: opts.KMSKeyID},
		Tables:     plan.Tables,
		Tags:       plan.Tags,
	}
	for _, d := range plan.Destinations {
		f.Destinations = append(f.Destinations, fileDestination(b, plan, d))
	}
	return f, nil
}

// fileDestination writes destination d of plan: the types b routes to it
// and, when the service listens to it, the types handled there.
func fileDestination(b sourceflow.Binding, plan Plan, d Destination) FileDestination {
	fifo := IsFIFO(d.Name)
	fd := FileDestination{Name: d.Name, Kind: fileKind(d.Kind), FIFO: &fifo}
	for _, r := range b.Routes {
		if r.Destination == d.Name && !slices.Contains(fd.Types, r.Type) {
			fd.Types = append(fd.Types, r.Type)
		}
	}
	if !d.Listened {
		return fd
	}
	fd.Listen = &FileListen{}
	for _, l := range b.Listeners {
		for _, t := range l.Types {
			if l.Destination == d.Name && !slices.Contains(fd.Listen.Handles, t) {
				fd.Listen.Handles = append(fd.Listen.Handles, t)
			}
		}
	}
	if d.Kind == sourceflow.KindEvent {
		fd.Listen.Queue = d.Queue
		fd.Listen.FilterTypes = subscriptionOf(plan, d.Topic).FilterTypes
	}
	return fd
}

func fileKind(k sourceflow.Kind) string {
	if k == sourceflow.KindEvent {
		return FileKindEvent
	}
	return FileKindCommand
}

func subscriptionOf(plan Plan, topic string) Subscription {
	for _, s := range plan.Subscriptions {
		if s.Topic == topic {
			return s
		}
	}
	return Subscription{}
}

// Encode writes f as YAML to w.
func (f File) Encode(w io.Writer) error {
	var buf bytes.Buffer
	buf.WriteString(fileHeader)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("encode topology file: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encode topology file: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
