package topology

import "time"

// FileVersion is the version of the topology file format that NewFile
// writes and DecodeFile reads.
const FileVersion = 1

// Destination kinds as the topology file spells them.
const (
	FileKindCommand = "command"
	FileKindEvent   = "event"
)

// File is the topology file: a service's Binding and Options as YAML, the
// input from which New derives the Plan. NewFile writes it from a running
// configuration; DecodeFile reads it back, strictly, and File.Binding and
// File.Options return what New needs, so the file and the code cannot
// drift. Fields marked "checked" are derived from the others: NewFile
// writes them for the reader, and DecodeFile, when they are present,
// rejects a file in which they differ from what the plan derives.
//
//	version: 1
//	service: orders
//	queues: {visibility_timeout: 30s, wait_time: 20s}
//	dead_letter: {max_receive_count: 5}
//	encryption: {kms_key_id: alias/orders}
//	tags: {team: checkout}
//	destinations:
//	  - name: orders.fifo
//	    kind: command
//	    fifo: true
//	    types: [orders.CreateOrder]
//	    listen: {handles: [orders.CreateOrder]}
type File struct {
	// Version is the format version, FileVersion. Required.
	Version int `yaml:"version"`
	// Service is the service name. Required when the service listens to an
	// event destination (it names the service's event queues).
	Service string `yaml:"service"`
	// Queues are the settings of the queues the service consumes.
	Queues FileQueues `yaml:"queues,omitempty"`
	// DeadLetter are the settings of the dead-letter queues.
	DeadLetter FileDeadLetter `yaml:"dead_letter,omitempty"`
	// Encryption names the KMS key of message bodies; empty means none.
	Encryption FileEncryption `yaml:"encryption,omitempty"`
	// Tags are put on the queues, topics and tables (Options.Tags).
	// Optional.
	Tags map[string]string `yaml:"tags,omitempty"`
	// Destinations are the service's destinations, one entry each.
	Destinations []FileDestination `yaml:"destinations"`
	// Tables are the DynamoDB tables the service's stores use
	// (Options.Tables). Optional.
	Tables []Table `yaml:"tables,omitempty"`
}

// FileQueues are Options.VisibilityTimeout and Options.WaitTime, written as
// Go durations ("30s"). Zero or absent means the default.
type FileQueues struct {
	// VisibilityTimeout of the consumed queues, 1s..12h. Default 30s.
	VisibilityTimeout time.Duration `yaml:"visibility_timeout,omitempty"`
	// WaitTime is the long-poll wait of the consumed queues, 1s..20s.
	// Default 20s.
	WaitTime time.Duration `yaml:"wait_time,omitempty"`
}

// FileDeadLetter are the dead-letter settings: Options.MaxReceiveCount.
// Dead-letter queues keep messages DLQRetentionSeconds (14 days).
type FileDeadLetter struct {
	// MaxReceiveCount is how often a message is received before SQS moves
	// it to the dead-letter queue, 1..1000. Default 8 (DefaultMaxReceiveCount).
	MaxReceiveCount int `yaml:"max_receive_count,omitempty"`
}

// FileEncryption is Options.KMSKeyID.
type FileEncryption struct {
	// KMSKeyID is a key id, key ARN, alias ("alias/…") or alias ARN.
	// Optional.
	KMSKeyID string `yaml:"kms_key_id,omitempty"`
}

// FileDestination is one destination: an SQS queue for commands, an SNS
// topic for events.
type FileDestination struct {
	// Name is the queue or topic name; ".fifo" makes it FIFO. Required.
	// The ARN of a topic or queue of another account or region names it
	// there (see Foreign): the service never creates it.
	Name string `yaml:"name"`
	// Kind is "command" (a queue) or "event" (a topic). Required.
	Kind string `yaml:"kind"`
	// FIFO, checked, says whether Name ends in ".fifo".
	FIFO *bool `yaml:"fifo,omitempty"`
	// Types are the logical types routed to the destination: those the
	// service sends or publishes there. Only a destination with types is
	// granted sqs:SendMessage or sns:Publish by NewIAMPolicy.
	Types []string `yaml:"types,omitempty,flow"`
	// Listen is present when the service consumes the destination.
	Listen *FileListen `yaml:"listen,omitempty"`
}

// FileListen says how the service consumes a destination.
type FileListen struct {
	// Handles are the types the service handles there; they are routed to
	// the destination too (a type may not also be routed elsewhere), but
	// do not make the service a sender there: list a type in Types for
	// that. At least one is required.
	Handles []string `yaml:"handles,flow"`
	// Queue is the service's event queue of a listened event destination.
	// Optional: default DefaultEventQueueName ("<service>-<topic>", ".fifo"
	// kept). Not allowed on command destinations, whose queue is Name.
	Queue string `yaml:"queue,omitempty"`
	// FilterTypes, checked, are the types of the subscription's filter
	// policy: the handled types (none past 150, SNS's limit).
	FilterTypes []string `yaml:"filter_types,omitempty,flow"`
}
