package org.seqrec.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import org.seqrec.data.DataSource;

/** The full configuration of a run ({@code config.json}): enough to retrain or reload it. */
public record RunConfig(
        @JsonProperty("model") String model,
        @JsonProperty("params") Map<String, Object> params,
        @JsonProperty("data") DataSource data,
        @JsonProperty("seed") long seed,
        @JsonProperty("protocol") String protocol,
        @JsonProperty("created") String created,
        @JsonProperty("versions") Map<String, String> versions) {}
