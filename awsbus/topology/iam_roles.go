package topology

import (
	"cmp"
	"slices"
	"strings"
)

// iamRole is what a queue, topic or table is to the service. A resource may
// play several: the service's own command queue is sent to and consumed.
type iamRole uint8

const (
	// roleCommand is the queue of a command destination: the service sends
	// to it.
	roleCommand iamRole = 1 << iota
	// roleConsumed is a queue the service consumes.
	roleConsumed
	// roleDeadLetter is the dead-letter queue of a consumed queue.
	roleDeadLetter
	// rolePeerDeadLetter is the dead-letter queue of a queue the service
	// only sends to, which another service consumes.
	rolePeerDeadLetter
	// roleTopic is a topic of the plan.
	roleTopic
	// roleSubscribed is a topic the service subscribes one of its queues to.
	roleSubscribed
	// roleTable is a table of the stores.
	roleTable
)

// roleWords are the words of the roles in a statement id, in this order,
// before the kind of the resource: "ConsumedCommandQueues". A topic and a
// table are named by their kind alone. No word is the start of another, so
// each set of roles has a name of its own.
var roleWords = []struct {
	role iamRole
	word string
}{
	{roleConsumed, "Consumed"}, {roleCommand, "Command"}, {roleDeadLetter, "DeadLetter"},
	{rolePeerDeadLetter, "PeerDeadLetter"}, {roleSubscribed, "Subscribed"},
}

// resourceKinds name the resources by the service of their ARN, in the
// order of the statements; the last entry stands for any other service.
var resourceKinds = []struct{ service, kind string }{
	{"sqs", "Queues"}, {"sns", "Topics"}, {"dynamodb", "Tables"}, {"", "Resources"},
}

// resourceClass is the kind of a resource and the roles it plays. The
// actions a resource needs follow from its class.
type resourceClass struct {
	kind  int // index in resourceKinds
	roles iamRole
}

// classOf returns the class of the resource arn playing roles.
func classOf(arn string, roles iamRole) resourceClass {
	parts := strings.SplitN(arn, ":", 4) // arn:partition:service:…
	kind := slices.IndexFunc(resourceKinds, func(k struct{ service, kind string }) bool {
		return k.service == "" || len(parts) > 2 && k.service == parts[2]
	})
	return resourceClass{kind: kind, roles: roles}
}

// name is the class's part of a statement id: the words of its roles, then
// its kind.
func (c resourceClass) name() string {
	var b strings.Builder
	for _, w := range roleWords {
		if c.roles&w.role != 0 {
			b.WriteString(w.word)
		}
	}
	return b.String() + resourceKinds[c.kind].kind
}

// compareClasses orders classes by kind, then by roles.
func compareClasses(a, b resourceClass) int {
	return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.roles, b.roles))
}

// roles returns the roles of the plan's queues, dead-letter queues, topics
// and tables, by ARN.
func (b iamBuilder) roles() map[string]iamRole {
	queues, dlqs := b.consumed()
	var peerDLQs []string
	for _, q := range b.plan.Queues {
		if !q.Owned {
			peerDLQs = append(peerDLQs, q.DLQ)
		}
	}
	out := map[string]iamRole{}
	for _, r := range []struct {
		role iamRole
		arns []string
	}{
		{roleCommand, b.arns("sqs", b.commandQueues())}, {roleConsumed, b.arns("sqs", queues)},
		{roleDeadLetter, b.arns("sqs", dlqs)}, {rolePeerDeadLetter, b.arns("sqs", peerDLQs)},
		{roleTopic, b.arns("sns", b.topics())}, {roleSubscribed, b.arns("sns", b.subscribedTopics())},
		{roleTable, b.tableARNs()},
	} {
		for _, arn := range r.arns {
			out[arn] |= r.role
		}
	}
	return out
}
