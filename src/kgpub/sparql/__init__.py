"""SPARQL: queries on a build (its index), on remote endpoints, pre-binding of parameters, results rendered, and
the shipped queries."""
