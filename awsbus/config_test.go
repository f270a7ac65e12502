package awsbus_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
)

func validConfig() awsbus.Config {
	return awsbus.Config{
		Service:         "orders",
		Commands:        []awsbus.CommandRoute{{Type: "orders.CreateOrder", Queue: "orders.fifo"}},
		Events:          []awsbus.EventRoute{{Type: "orders.OrderCreated", Topic: "order-events"}},
		ListenQueues:    []string{"orders.fifo"},
		SubscribeTopics: []string{"payment-events"},
	}
}

// configCase changes a valid Config and lists what Validate must report.
type configCase struct {
	name   string
	modify func(c *awsbus.Config)
	want   []string // substrings, each must appear
	is     error
}

func configCases() []configCase {
	return append(routingConfigCases(), optionConfigCases()...)
}

// routingConfigCases cover names and routes.
func routingConfigCases() []configCase {
	return []configCase{
		{name: "valid", modify: func(*awsbus.Config) {}},
		{name: "zero values take defaults", modify: func(c *awsbus.Config) { *c = awsbus.Config{Service: "s"} }},
		{name: "bad queue name", modify: func(c *awsbus.Config) { c.Commands[0].Queue = "orders.v1" },
			want: []string{"Commands[0]", "invalid character"}, is: awsbus.ErrInvalidName},
		{name: "queue too long for its DLQ", modify: func(c *awsbus.Config) {
			c.Commands[0].Queue = strings.Repeat("q", 78)
		}, want: []string{"Commands[0]: dead-letter queue", "82 characters"}, is: awsbus.ErrInvalidName},
		{name: "bad topic name", modify: func(c *awsbus.Config) { c.Events[0].Topic = "arn:aws:sns:x" },
			want: []string{"Events[0]", "topic name"}, is: awsbus.ErrInvalidName},
		{name: "bad listen queue", modify: func(c *awsbus.Config) { c.ListenQueues = []string{""} },
			want: []string{"ListenQueues[0]", "empty"}, is: awsbus.ErrInvalidName},
		{name: "bad subscribed topic", modify: func(c *awsbus.Config) { c.SubscribeTopics = []string{"a b"} },
			want: []string{"SubscribeTopics[0]"}, is: awsbus.ErrInvalidName},
		{name: "event queue too long", modify: func(c *awsbus.Config) {
			c.SubscribeTopics = []string{strings.Repeat("t", 75)}
		}, want: []string{"SubscribeTopics[0] event queue", "orders-ttt"}, is: awsbus.ErrInvalidName},
		{name: "event queue name hook breaks FIFO pairing", modify: func(c *awsbus.Config) {
			c.SubscribeTopics = []string{"payments.fifo"}
			c.EventQueueName = func(p awsbus.EventQueueNameParams) string { return p.Service + "-payments" }
		}, want: []string{"FIFO topic needs a FIFO queue"}, is: awsbus.ErrFIFOMismatch},
		{name: "event queue name hook makes a standard topic feed a FIFO queue", modify: func(c *awsbus.Config) {
			c.EventQueueName = func(p awsbus.EventQueueNameParams) string { return p.Service + "-x.fifo" }
		}, want: []string{"SubscribeTopics[0]"}, is: awsbus.ErrFIFOMismatch},
		{name: "type mapped twice", modify: func(c *awsbus.Config) {
			c.Commands = append(c.Commands, awsbus.CommandRoute{Type: "orders.CreateOrder", Queue: "other"})
		}, want: []string{"Commands[1]", `"orders.CreateOrder"`, "Commands[0]"}, is: awsbus.ErrDuplicateRoute},
		{name: "type mapped as command and event", modify: func(c *awsbus.Config) {
			c.Events = append(c.Events, awsbus.EventRoute{Type: "orders.CreateOrder", Topic: "order-events"})
		}, want: []string{"Events[1]"}, is: awsbus.ErrDuplicateRoute},
		{name: "same route twice is fine", modify: func(c *awsbus.Config) {
			c.Commands = append(c.Commands, c.Commands[0])
		}},
		{name: "destination both queue and topic", modify: func(c *awsbus.Config) {
			c.Events = append(c.Events, awsbus.EventRoute{Type: "orders.X", Topic: "orders.fifo"})
		}, want: []string{"Events[1]", `"orders.fifo" used as event`}, is: awsbus.ErrDuplicateRoute},
		{name: "empty type", modify: func(c *awsbus.Config) { c.Events[0].Type = "" }, want: []string{"Events[0]: empty type"}},
	}
}

// optionConfigCases cover the options and the KMS key.
func optionConfigCases() []configCase {
	return []configCase{
		{name: "negative concurrency", modify: func(c *awsbus.Config) { c.MaxConcurrentCalls = -1 }, want: []string{"MaxConcurrentCalls"}},
		{name: "wait time above 20s", modify: func(c *awsbus.Config) { c.WaitTime = 21 * time.Second }, want: []string{"WaitTime"}},
		{name: "negative wait time", modify: func(c *awsbus.Config) { c.WaitTime = -time.Second }, want: []string{"WaitTime"}},
		{name: "fractional wait time", modify: func(c *awsbus.Config) { c.WaitTime = 1500 * time.Millisecond }, want: []string{"WaitTime", "whole seconds"}},
		{name: "visibility above 12h", modify: func(c *awsbus.Config) { c.VisibilityTimeout = 13 * time.Hour }, want: []string{"VisibilityTimeout"}},
		{name: "negative visibility", modify: func(c *awsbus.Config) { c.VisibilityTimeout = -time.Second }, want: []string{"VisibilityTimeout"}},
		{name: "max receive count 0 is default", modify: func(c *awsbus.Config) { c.MaxReceiveCount = 0 }},
		{name: "max receive count above 1000", modify: func(c *awsbus.Config) { c.MaxReceiveCount = 1001 }, want: []string{"MaxReceiveCount"}},
		{name: "negative max receive count", modify: func(c *awsbus.Config) { c.MaxReceiveCount = -3 }, want: []string{"MaxReceiveCount"}},
		{name: "negative shutdown timeout", modify: func(c *awsbus.Config) { c.ShutdownTimeout = -time.Second }, want: []string{"ShutdownTimeout"}},
		{name: "unknown provisioning", modify: func(c *awsbus.Config) { c.Provisioning = 9 }, want: []string{"Provisioning"}},
		{name: "encryption without key", modify: func(c *awsbus.Config) { c.EnableEncryption = true }, want: []string{"KMSKeyID: required"}},
		{name: "encryption with bad key", modify: func(c *awsbus.Config) {
			c.EnableEncryption, c.KMSKeyID = true, "my key"
		}, want: []string{"KMSKeyID", "my key"}},
		{name: "key id", modify: func(c *awsbus.Config) {
			c.EnableEncryption, c.KMSKeyID = true, "1234abcd-12ab-34cd-56ef-1234567890ab"
		}},
		{name: "multi-region key id", modify: func(c *awsbus.Config) {
			c.EnableEncryption, c.KMSKeyID = true, "mrk-1234abcd12ab34cd56ef1234567890ab"
		}},
		{name: "alias", modify: func(c *awsbus.Config) { c.EnableEncryption, c.KMSKeyID = true, "alias/sourceflow" }},
		{name: "key arn", modify: func(c *awsbus.Config) {
			c.EnableEncryption, c.KMSKeyID = true, "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		}},
		{name: "alias arn", modify: func(c *awsbus.Config) {
			c.EnableEncryption, c.KMSKeyID = true, "arn:aws:kms:us-east-1:111122223333:alias/sourceflow"
		}},
		{name: "key ignored when encryption is off", modify: func(c *awsbus.Config) { c.KMSKeyID = "my key" }},
		{name: "disabled switches without Local", modify: func(c *awsbus.Config) {
			c.DisableCommandRouting, c.DisableEventListener = true, true
		}, want: []string{"Local: required when DisableCommandRouting, DisableEventListener is set"}},
		{name: "every disabled switch without Local", modify: func(c *awsbus.Config) {
			c.DisableCommandRouting, c.DisableEventRouting, c.DisableCommandListener, c.DisableEventListener = true, true, true, true
		}, want: []string{"Local: required when DisableCommandRouting, DisableEventRouting, DisableCommandListener, DisableEventListener is set"}},
		{name: "disabled listener with Local", modify: func(c *awsbus.Config) {
			c.DisableCommandListener, c.Local = true, newRecordingLocal()
		}},
		{name: "names of disabled command routing are not AWS names", modify: func(c *awsbus.Config) {
			c.DisableCommandRouting, c.Local = true, newRecordingLocal()
			c.Commands[0].Queue = "orders.in.process"
			c.ListenQueues = []string{"orders.in.process"}
		}},
	}
}

func TestConfig_Validate(t *testing.T) {
	for _, tt := range configCases() {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.modify(&c)
			err := c.Validate()
			if len(tt.want) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, awsbus.ErrInvalidConfig)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestConfig_ValidateReportsEveryProblem(t *testing.T) {
	c := validConfig()
	c.Commands[0].Queue = "bad name"
	c.Events[0].Topic = ""
	c.MaxReceiveCount = 2000
	c.WaitTime = time.Minute
	c.EnableEncryption = true

	err := c.Validate()

	require.Error(t, err)
	for _, field := range []string{"Commands[0]", "Events[0]", "MaxReceiveCount", "WaitTime", "KMSKeyID"} {
		assert.Contains(t, err.Error(), field)
	}
	var joined interface{ Unwrap() []error }
	require.True(t, errors.As(err, &joined), "errors are joined")
}
