package iac

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// attribute is how one SQS or SNS attribute is spelled in each language,
// and the type of its value.
type attribute struct {
	cfn, tf string
	kind    valueKind
}

type valueKind int

const (
	intValue valueKind = iota
	boolValue
	stringValue
)

// queueAttributes are the queue attributes topology.New sets, by their SQS
// API name; a plan with any other is refused until it is added here.
var queueAttributes = map[string]attribute{
	"VisibilityTimeout":             {"VisibilityTimeout", "visibility_timeout_seconds", intValue},
	"ReceiveMessageWaitTimeSeconds": {"ReceiveMessageWaitTimeSeconds", "receive_wait_time_seconds", intValue},
	"MessageRetentionPeriod":        {"MessageRetentionPeriod", "message_retention_seconds", intValue},
	topology.AttrMaximumMessageSize: {"MaximumMessageSize", "max_message_size", intValue},
	"FifoQueue":                     {"FifoQueue", "fifo_queue", boolValue},
	"ContentBasedDeduplication":     {"ContentBasedDeduplication", "content_based_deduplication", boolValue},
	topology.AttrSQSManagedSSE:      {"SqsManagedSseEnabled", "sqs_managed_sse_enabled", boolValue},
	topology.AttrKMSMasterKey:       {"KmsMasterKeyId", "kms_master_key_id", stringValue},
}

// topicAttributes are the topic attributes topology.New sets, by their SNS
// API name.
var topicAttributes = map[string]attribute{
	"FifoTopic":                 {"FifoTopic", "fifo_topic", boolValue},
	"ContentBasedDeduplication": {"ContentBasedDeduplication", "content_based_deduplication", boolValue},
	topology.AttrKMSMasterKey:   {"KmsMasterKeyId", "kms_master_key_id", stringValue},
}

// attributeProps converts the API attributes of one resource into
// properties, in attribute-name order. An attribute with no form here, or
// a value of the wrong type, is an error naming the resource: the output
// never silently lacks a setting the plan has.
func attributeProps(what, name string, attrs map[string]string, known map[string]attribute) ([]prop, error) {
	var props []prop
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		a, ok := known[k]
		if !ok {
			return nil, fmt.Errorf("iac: %s %q: attribute %s has no infrastructure-code form", what, name, k)
		}
		v, err := a.parse(attrs[k])
		if err != nil {
			return nil, fmt.Errorf("iac: %s %q: attribute %s: %w", what, name, k, err)
		}
		props = append(props, prop{cfn: a.cfn, tf: a.tf, value: v})
	}
	return props, nil
}

func (a attribute) parse(s string) (any, error) {
	switch a.kind {
	case intValue:
		return strconv.Atoi(s)
	case stringValue:
		return s, nil
	default:
		return strconv.ParseBool(s)
	}
}
