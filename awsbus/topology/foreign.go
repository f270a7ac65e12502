package topology

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sourceflow-go/sourceflow"
)

// Foreign is a topic or queue of another account or region, named in the
// Binding by its ARN: the service publishes or sends to it, or subscribes
// its own event queue to it, but never creates or changes it. Its owner
// creates it and grants the service's account access (see the README,
// "Destinations in another account").
type Foreign struct {
	// ARN is the destination name, the resource's ARN.
	ARN string `json:"arn"`
	// Kind is KindCommand for an SQS queue, KindEvent for an SNS topic.
	Kind sourceflow.Kind `json:"kind"`
	// Name is the queue or topic name, the ARN's last part.
	Name string `json:"name"`
	// Region is the region of the resource; calls on it go there.
	Region string `json:"region"`
	// Account is the account that owns the resource.
	Account string `json:"account"`
}

// ParseForeign reads the ARN of a destination of kind: an SNS topic ARN
// for an event destination, an SQS queue ARN for a command destination,
// "arn:<partition>:<sns|sqs>:<region>:<account>:<name>". A malformed one
// is ErrInvalidConfig naming what is wrong.
func ParseForeign(arn string, kind sourceflow.Kind) (Foreign, error) {
	service, what, validate := "sqs", "queue", ValidateQueueName
	if kind == sourceflow.KindEvent {
		service, what, validate = "sns", "topic", ValidateTopicName
	}
	parts := strings.Split(arn, ":")
	bad := func(format string, args ...any) (Foreign, error) {
		return Foreign{}, fmt.Errorf("%w: %s ARN %q: %s; want arn:%s:%s:<region>:<account>:<name>",
			ErrInvalidConfig, what, arn, fmt.Sprintf(format, args...), wantedPartition(parts), service)
	}
	switch {
	case len(parts) != 6 || parts[0] != "arn":
		return bad("has %d parts, not 6", len(parts))
	case parts[1] == "":
		return bad("no partition")
	case parts[2] != service:
		return bad("service %q, but a %s destination is an %s %s", parts[2], kind, strings.ToUpper(service), what)
	case parts[3] == "":
		return bad("no region")
	case !partitionOfRegion(parts[1], parts[3]):
		return bad("partition %q, but region %s is in %s", parts[1], parts[3], regionPartition(parts[3]))
	case parts[4] == "" || ValidateAccountID(parts[4]) != nil:
		return bad("account %q is not 12 digits", parts[4])
	}
	if err := validate(parts[5]); err != nil {
		return bad("%v", err)
	}
	return Foreign{ARN: arn, Kind: kind, Name: parts[5], Region: parts[3], Account: parts[4]}, nil
}

// SubscribedForeignTopics returns the ARNs of the topics of another account
// or region (Foreign) that p's queues are subscribed to, sorted, each once:
// SNS of their owners delivers from them to those queues, under the key of
// an encrypted queue.
func (p Plan) SubscribedForeignTopics() []string {
	var out []string
	for _, s := range p.Subscriptions {
		if IsARN(s.Topic) {
			out = append(out, s.Topic)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// foreign returns the foreign topic or queue named name.
func (p Plan) foreign(name string) (Foreign, bool) {
	for _, f := range p.Foreign {
		if f.ARN == name {
			return f, true
		}
	}
	return Foreign{}, false
}
