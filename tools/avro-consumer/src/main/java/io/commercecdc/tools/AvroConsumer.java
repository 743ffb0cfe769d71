package io.commercecdc.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.apicurio.registry.serde.Default4ByteIdHandler;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.config.SerdeConfig;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a commerce-cdc change topic from the beginning up to its end at start (read_committed, no consumer
 * group) and prints each change as one JSON line: topic, partition, offset, key, schemaId and the decoded value.
 * The value is decoded by Apicurio's Avro deserializer in its Confluent-compatible mode (magic byte, 4-byte
 * schema id = the registry's content id), so the schema is fetched from the registry as any Confluent tool does.
 *
 * <pre>java -jar avro-consumer.jar --bootstrap 127.0.0.1:19092 --registry http://127.0.0.1:18081/apis/registry/v3
 *     --topic commerce.products.changes [--follow]</pre>
 *
 * Avro values map to JSON as: records and maps to objects, unions to the branch's value, decimals to a
 * string with the schema's scale, other bytes to base64, logical dates and times to their underlying number.
 */
public final class AvroConsumer {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  // the registry client's advice about its Vert.x instance is for servers, not for a one-shot tool
  private static final java.util.logging.Logger VERTX_ADVICE = java.util.logging.Logger.getLogger("io.apicurio.registry.client.common");

  static {
    VERTX_ADVICE.setLevel(java.util.logging.Level.SEVERE);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    boolean follow = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--follow")) follow = true;
      else if (args[i].startsWith("--") && i + 1 < args.length) opts.put(args[i].substring(2), args[++i]);
      else usage("unknown argument " + args[i]);
    }
    String topic = opts.get("topic");
    if (topic == null) usage("--topic is required");
    String bootstrap = opts.getOrDefault("bootstrap", "127.0.0.1:19092");
    String registry = opts.getOrDefault("registry", "http://127.0.0.1:18081/apis/registry/v3");

    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, Change.Deserializer.class.getName());
    p.put(SerdeConfig.REGISTRY_URL, registry);
    // Confluent's wire format: 0x00, a 4-byte id, the Avro body; the id is the registry's content id
    p.put(SerdeConfig.ID_HANDLER, Default4ByteIdHandler.class.getName());
    p.put(SerdeConfig.USE_ID, "contentId");

    ObjectMapper mapper = new ObjectMapper();
    try (KafkaConsumer<String, Change> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts = new ArrayList<>();
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) usage("topic " + topic + " does not exist");
      for (PartitionInfo i : infos) parts.add(new TopicPartition(topic, i.partition()));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
      while (follow || !reached(consumer, end)) {
        for (ConsumerRecord<String, Change> r : consumer.poll(Duration.ofMillis(500))) {
          ObjectNode line = JSON.objectNode();
          line.put("topic", r.topic());
          line.put("partition", r.partition());
          line.put("offset", r.offset());
          line.put("key", r.key());
          Change c = r.value();
          if (c == null) line.putNull("schemaId");
          else line.put("schemaId", c.schemaId());
          line.set("value", c == null ? JSON.nullNode() : toJson(c.value(), c.value().getSchema()));
          System.out.println(mapper.writeValueAsString(line));
        }
      }
    }
  }

  /** A decoded change and the schema id its bytes named. */
  public record Change(int schemaId, GenericRecord value) {
    /** Apicurio's deserializer, keeping the 4-byte id that follows the magic byte for the output line. */
    public static final class Deserializer implements org.apache.kafka.common.serialization.Deserializer<Change> {
      private final AvroKafkaDeserializer<GenericRecord> avro = new AvroKafkaDeserializer<>();

      @Override
      public void configure(Map<String, ?> configs, boolean isKey) {
        avro.configure(configs, isKey);
      }

      @Override
      public Change deserialize(String topic, byte[] data) {
        if (data == null) return null;
        return new Change(ByteBuffer.wrap(data).getInt(1), avro.deserialize(topic, data));
      }

      @Override
      public void close() {
        avro.close();
      }
    }
  }

  private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) if (consumer.position(e.getKey()) < e.getValue()) return false;
    return true;
  }

  static JsonNode toJson(Object v, Schema s) {
    if (v == null) return JSON.nullNode();
    switch (s.getType()) {
      case UNION:
        return toJson(v, s.getTypes().get(GenericData.get().resolveUnion(s, v)));
      case RECORD: {
        ObjectNode o = JSON.objectNode();
        GenericRecord r = (GenericRecord) v;
        for (Schema.Field f : s.getFields()) o.set(f.name(), toJson(r.get(f.pos()), f.schema()));
        return o;
      }
      case ARRAY: {
        ArrayNode a = JSON.arrayNode();
        for (Object x : (Iterable<?>) v) a.add(toJson(x, s.getElementType()));
        return a;
      }
      case MAP: {
        ObjectNode o = JSON.objectNode();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) o.set(e.getKey().toString(), toJson(e.getValue(), s.getValueType()));
        return o;
      }
      case BYTES:
      case FIXED: {
        byte[] b = v instanceof ByteBuffer bb ? bytes(bb) : ((GenericData.Fixed) v).bytes();
        if (s.getLogicalType() instanceof LogicalTypes.Decimal d) return JSON.textNode(new BigDecimal(new BigInteger(b), d.getScale()).toPlainString());
        return JSON.textNode(Base64.getEncoder().encodeToString(b));
      }
      case STRING:
      case ENUM:
        return JSON.textNode(v.toString());
      case INT:
        return JSON.numberNode((Integer) v);
      case LONG:
        return JSON.numberNode((Long) v);
      case FLOAT:
        return JSON.numberNode((Float) v);
      case DOUBLE:
        return JSON.numberNode((Double) v);
      case BOOLEAN:
        return JSON.booleanNode((Boolean) v);
      default:
        return JSON.nullNode();
    }
  }

  private static byte[] bytes(ByteBuffer bb) {
    ByteBuffer d = bb.duplicate();
    byte[] b = new byte[d.remaining()];
    d.get(b);
    return b;
  }

  private static void usage(String problem) {
    System.err.println("avro-consumer: " + problem);
    System.err.println("usage: java -jar avro-consumer.jar --topic <prefix>.<feed>.changes [--bootstrap host:port] [--registry http://host:port/apis/registry/v3] [--follow]");
    System.exit(2);
  }
}
