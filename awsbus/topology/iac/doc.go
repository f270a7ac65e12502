// Package iac renders topology plans as infrastructure code: a
// CloudFormation template (CloudFormation) and a Terraform configuration
// (Terraform), so that the queues, dead-letter queues, topics,
// subscriptions, queue policies and KMS key a service needs can be deployed
// by the tools an organisation already reviews changes with, and then
// checked by the services themselves with topology.ProvisionValidate.
//
// Both renderers take one or more plans (one per service) and render their
// union once: a queue one service sends to and another consumes is one
// resource, with the consumer's settings; a topic two services share is one
// topic. Export every service that shares resources into one template, or
// a queue or topic would be declared by two stacks.
//
// What is rendered, per plan:
//
//   - each queue with its dead-letter queue and redrive policy
//     (maxReceiveCount), FIFO and content-based deduplication where the
//     name ends in ".fifo", the visibility timeout and long-poll wait of
//     the plan; dead-letter queues keep messages 14 days;
//   - each topic, and each subscription of an event queue with raw message
//     delivery and, when the service handles only some of the topic's
//     types, a filter policy on the type attribute;
//   - each event queue's policy letting its topics send to it (condition
//     aws:SourceArn), with the statement ids topology.MergeQueuePolicy
//     writes;
//   - a KMS key, with rotation on, and its alias, when the plan's key is an
//     alias ("alias/orders" or an alias ARN) that is not AWS-managed; the
//     key policy gives the account's IAM policies control of the key (as
//     AWS's default key policy does) and lets SNS and SQS, for this
//     account only, generate and decrypt data keys, which encrypted topics
//     and queues need. A key given by id or key ARN exists already and is
//     not rendered.
//
// Queues, dead-letter queues and keys are kept when their stack or
// configuration is destroyed or replaced (CloudFormation DeletionPolicy and
// UpdateReplacePolicy Retain, Terraform prevent_destroy): deleting a queue
// loses its messages, deleting a key makes every message encrypted under it
// unreadable.
//
// The CloudFormation template is built with goformation's typed resources;
// the Terraform configuration with the HCL library's writer (hclwrite),
// for the hashicorp/aws provider 5 or later.
package iac
