// Package topology derives the AWS resources a SourceFlow service needs from
// its routing, and creates, validates or assumes them.
//
// # Plan
//
// New derives a Plan from a sourceflow.Binding (the service's registrations:
// routes, listened destinations and the types handled there) and Options.
// The Binding is the only source of routing. The Plan is data in a
// deterministic order, with exported, JSON-tagged fields, so that other
// tools can render it, for example as infrastructure code or an IAM policy:
//
//   - a queue per command destination, FIFO with ContentBasedDeduplication
//     when its name ends in ".fifo";
//   - a dead-letter queue "<queue>-dlq" (".fifo" kept, 14-day retention) per
//     queue, with a RedrivePolicy of Options.MaxReceiveCount;
//   - MaximumMessageSize 1 MiB (MaxMessageBytes) on every queue and
//     dead-letter queue, the size the awsbus publisher lets through;
//   - a topic per event destination, FIFO for ".fifo" names;
//   - per listened topic, an event queue of the service's own
//     ("<service>-<topic>" by default; commands and events never share a
//     queue), a subscription with raw message delivery, a redrive policy to
//     the queue's dead-letter queue (SNS moves there what it cannot deliver
//     to the queue instead of dropping it) and a filter policy on the
//     sf_type attribute naming the types the service handles (none past
//     150, SNS's limit), so that a type it does not handle never reaches its
//     queue, and Policies letting the topic send to the queue and to its
//     dead-letter queue. Create only widens an existing filter, so that
//     instances of two versions of a service can run side by side;
//     AWS applies a filter change within minutes (up to 15), so a newly
//     handled type's events published meanwhile may be dropped by SNS;
//   - the DynamoDB tables of Options.Tables, where the service's stores keep
//     state (cqrs/dynamostore.Tables, idempotency/dynamostore.TableOf):
//     on-demand capacity, string keys, time to live where the table has a
//     TTL attribute;
//   - encryption at rest: SSE-KMS under Options.KMSKeyID on every queue and
//     topic when the service encrypts bodies, SQS-managed SSE on its queues
//     otherwise;
//   - Options.Tags on every queue, topic and table.
//
// Every queue the Provisioner creates or owns also gets a policy statement
// denying sqs:* without TLS (SecureTransportSid, RequireSecureTransport).
// A queue the service only sends to, and its dead-letter queue, get it at
// CreateQueue, and only when their ARN can be built then (from a queue
// already made, ProvisionerConfig.AccountID or STS): a service that
// consumes no queue, run without AccountID and STS, never writes to its
// consumer's queues, so the first one it makes is left for the consumer's
// Create to complete.
//
// Every topic the Provisioner creates gets a policy statement denying
// sns:Publish without TLS (the same Sid, RequireTopicSecureTransport), at
// CreateTopic when its ARN can be built then, else right after. On an
// existing topic, Create adds the statement when the service publishes
// there (Destination.Routed) and leaves the policy of a topic it only
// listens to, its publisher's; Validate reports the statement missing on
// the topics the service publishes to.
//
// New reports every problem at once: AWS name rules (queues 1–80 characters,
// topics 1–256, letters, digits, '-' and '_', ".fifo" counted), derived
// dead-letter and event queue names, FIFO pairing, a type routed to two
// destinations, a queue name claimed by two roles, and listened destinations
// without a handler.
//
// # Provisioner
//
// A Provisioner runs a Plan over narrow SQS, SNS, STS and (for tables)
// DynamoDB client interfaces in one of three modes:
//
//   - Create: reads first and writes only differences, so a second run
//     changes nothing. A queue the service only sends to is created when
//     missing but never reconciled, nor is its dead-letter queue: its
//     consumer owns both. Queue policies are
//     merged, never overwritten. AWS may answer QueueDoesNotExist about a
//     queue for a moment after creating it; Create then asks again for up
//     to 10 seconds (or until its context ends) before failing. A queue or
//     subscription another instance made meanwhile, with the same
//     attributes or others (a filter of another version's types), is
//     reconciled like one that existed.
//   - Validate: writes nothing and reports every difference as a Drift:
//     missing resources (the dead-letter queue of a missing queue included),
//     redrive, attributes (encryption at rest and the maximum message size
//     among them), policy (the TLS statement and the topic's statement on
//     an event queue's dead-letter queue among them), tags, raw delivery,
//     filter policy and its scope (the message attributes, where the type
//     is), a subscription's redrive policy, a topic's key, and a
//     table's key schema, billing mode and time to live. Create cannot
//     change a table's keys or billing mode in place; those drifts remain.
//     Nor does Create overwrite a value another service set on a topic or
//     table the services share (its KMS key, a tag's value): those drifts
//     are marked Kept. A Kept drift is still a difference: Apply in
//     Validate mode fails on it, so the services' files must agree on what
//     they share.
//   - Assume: resolves names only, for infrastructure managed as code; a
//     missing resource fails it with ErrNotFound. Of a table it reads the
//     key schema alone (ApplyTables), and fails on keys that are not the
//     store's, as every request of the store would be refused.
//
// A queue's policy lets a topic send when, as IAM evaluates the call SNS
// makes (sqs:SendMessage on the queue from sns.amazonaws.com, or from
// sns.<region>.amazonaws.com between an opt-in region and another, with the
// topic as aws:SourceArn), an Allow statement covers it for certain and no
// Deny statement applies to it for certain; a statement with a condition or
// element the check cannot evaluate counts as no Allow and, as IAM alone
// can tell, as no Deny (the guardrails of an organization that test
// aws:SourceOrgID must not stop a service). Create adds the topic's
// statement when no Allow covers the call, and fails with ErrTopicDenied,
// leaving the policy as it is, when a Deny refuses it; Validate reports
// both.
//
// Account ids are never built in. Topic ARNs in Validate and Assume are built
// from a resolved queue's ARN; without one, from ProvisionerConfig.AccountID
// or STS GetCallerIdentity, and ProvisionerConfig.Region. When neither is
// available, Validate reports the topics as not checked rather than failing;
// a failed GetCallerIdentity fails it with the call's error, as any failed
// call does.
// Apply in Validate mode fails on a topic not checked, as on any drift,
// since the Endpoints then lack the topic's ARN and nothing could be
// published there (Assume fails likewise); a key not checked fails it too.
// A topic named by its name is therefore assumed to live in the account
// and region of the service's queues.
//
// # Destinations of another account or region
//
// A destination named by an ARN, "arn:aws:sns:<region>:<account>:<topic>"
// for an event, "arn:aws:sqs:<region>:<account>:<queue>" for a command, is
// another account's or region's (Foreign, listed in Plan.Foreign, in
// neither Queues nor Topics). New checks the ARN (ErrInvalidConfig when
// malformed, when its partition is not its region's, when destinations so
// named are of two partitions, or when the service would consume a queue so
// named: a service consumes only its own; the error shows the form wanted
// in the ARN's partition, "arn:aws-cn:" for one in China). The service's
// event queue of a Foreign topic is its own, named by EventQueueName from
// the topic's name (and ARN: topics of one name in other accounts or
// regions get a queue each, see Options.EventQueueName), and Subscription
// and Policy name the topic by its ARN. No mode creates or changes a
// Foreign resource: Create and Assume fail with ErrNotFound while one is
// missing (Create before any write), and Validate reports it, missing or
// refused to the service ("not reachable"), as a drift named by its ARN. A
// Foreign queue is resolved with GetQueueUrl naming its owner's account
// (QueueOwnerAWSAccountId), a Foreign topic checked with
// GetTopicAttributes; these calls, and the subscription calls on a Foreign
// topic, go to the ARN's region through a per-call option, so no client of
// another region is needed, and Endpoint.Region tells the transport where
// to send and publish. A subscription to a topic of another region gets no
// redrive policy: SNS redrives only to a queue of the subscription's
// region. A subscription to a Foreign topic whose attributes the service's
// account may not read (GetSubscriptionAttributes refused, or NotFound as
// LocalStack answers the subscriber) is subscribed again by Create with the
// plan's attributes, which SNS answers with the same subscription, or
// refuses when it has others; Validate checks only that such a subscription
// exists, as the service could not change its attributes anyway. The owner
// grants the service's account what NewIAMPolicy grants the service on the
// ARN (see the README, "Destinations in another account"); a refused call's
// error names those grants.
//
// NewIAMPolicy lists the IAM actions of each mode; with tags, Create also
// tags (sqs:TagQueue, sns:TagResource, dynamodb:TagResource) and reads
// tags, and Validate reads them. NewKeyPolicyStatements gives what the key
// policy needs for encryption at rest. With ProvisionerConfig.KMS, Validate
// also reads the key (kms:DescribeKey, kms:GetKeyPolicy) and reports, as a
// "key" drift, one that is missing, disabled or not a symmetric encryption
// key, or, when the plan has topics or subscribes to topics of another
// account (which SNS delivers from as their owner's account), AWS managed
// or with a policy that does not let SNS use it: SNS then drops the
// topics' messages. The policy check
// reads the Allow and Deny statements that name the SNS service principal
// (Principal or NotPrincipal, Action or NotAction, Resource) and their
// conditions on aws:SourceArn, aws:SourceAccount, aws:PrincipalIsAWSService,
// aws:PrincipalServiceName and the principal keys a service does not carry;
// a statement it cannot evaluate counts as no Allow and as a possible Deny,
// so it errs toward reporting. Grants are not read. A key that cannot be
// read (a denied or failed call, a key of another account) is reported
// "not checked". A key ARN of another region than ProvisionerConfig.Region
// (CheckKeyRegion) is reported by Validate as a "key" drift naming both
// regions, without a KMS call, and refused by Create (ErrInvalidConfig):
// SQS and SNS encrypt only under a key of their own region, so a key shared
// across regions is named by its multi-Region replica in the service's.
// Create never changes a key or its policy.
//
// Tables need dynamodb:CreateTable, DescribeTable, DescribeTimeToLive and
// UpdateTimeToLive in Create, the two Describe actions in Validate, and
// DescribeTable in Assume.
// ApplyTables runs the same three modes on tables alone; the DynamoDB
// stores call it from their New.
//
// ResourceProbes and RunProbes report the health of a Plan's resources.
//
// # Topology file
//
// File is the Binding and Options as YAML, for the operations CLI
// (cmd/sourceflow) and infrastructure tools: NewFile writes it from a
// running configuration, DecodeFile reads it strictly (unknown fields
// rejected, every problem named by field and line), and File.Binding and
// File.Options give New its input back, so the file cannot describe a plan
// the code would not derive. Options.KMSKeyID, carried into Plan.KMSKeyID,
// is the key queues and topics are encrypted at rest under, and the key the
// tools that render a plan grant and create.
//
// The package imports the root package and the AWS SDK only; the awsbus
// transport imports it, never the reverse.
package topology
