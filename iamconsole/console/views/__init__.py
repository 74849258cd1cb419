"""Console views, one module per page family. Each view declares its IAM action and resource
with `console_view` and calls the domain operations in `iamconsole.iam.services`."""
