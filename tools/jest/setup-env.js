// kafkajs warns about its partitioner default on every producer; leadflow uses the default
// (murmur2, Java-compatible) on purpose, so the notice is noise in test output.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
