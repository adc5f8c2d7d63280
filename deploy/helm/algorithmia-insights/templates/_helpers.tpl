{{/* Names ---------------------------------------------------------------------------------- */}}

{{- define "algorithmia-insights.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "algorithmia-insights.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "algorithmia-insights.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "algorithmia-insights.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "algorithmia-insights.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The container's name; KEDA's TriggerAuthentication refers to it. */}}
{{- define "algorithmia-insights.containerName" -}}
{{- .Chart.Name -}}
{{- end -}}

{{/* Image and versions ---------------------------------------------------------------------- */}}

{{- define "algorithmia-insights.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag -}}
{{- end -}}

{{- define "algorithmia-insights.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (include "algorithmia-insights.imageTag" .) -}}
{{- end -}}
{{- end -}}

{{/* DD_VERSION and tags.datadoghq.com/version: datadog.version, else the image tag. */}}
{{- define "algorithmia-insights.ddVersion" -}}
{{- default (include "algorithmia-insights.imageTag" .) .Values.datadog.version -}}
{{- end -}}

{{/* Labels ---------------------------------------------------------------------------------- */}}

{{- define "algorithmia-insights.selectorLabels" -}}
app.kubernetes.io/name: {{ include "algorithmia-insights.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Datadog unified service tagging labels (env only when set). */}}
{{- define "algorithmia-insights.ustLabels" -}}
{{- if .Values.datadog.env }}
tags.datadoghq.com/env: {{ .Values.datadog.env | quote }}
{{- end }}
tags.datadoghq.com/service: {{ .Values.datadog.service | quote }}
tags.datadoghq.com/version: {{ include "algorithmia-insights.ddVersion" . | quote }}
{{- end -}}

{{- define "algorithmia-insights.labels" -}}
helm.sh/chart: {{ include "algorithmia-insights.chart" . }}
{{ include "algorithmia-insights.selectorLabels" . }}
app.kubernetes.io/version: {{ include "algorithmia-insights.imageTag" . | quote }}
app.kubernetes.io/component: forwarder
app.kubernetes.io/part-of: datadog
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Fixed paths in the container ------------------------------------------------------------ */}}

{{- define "algorithmia-insights.configDir" -}}/etc/algorithmia-insights{{- end -}}
{{- define "algorithmia-insights.saslDir" -}}/var/run/secrets/algorithmia-insights/sasl{{- end -}}
{{- define "algorithmia-insights.tlsDir" -}}/var/run/secrets/algorithmia-insights/tls{{- end -}}
{{- define "algorithmia-insights.socketDir" -}}/var/run/datadog{{- end -}}
{{- define "algorithmia-insights.saslPasswordEnv" -}}KAFKA_PASSWORD{{- end -}}
{{- define "algorithmia-insights.saslUsernameEnv" -}}KAFKA_SASL_USERNAME{{- end -}}

{{- define "algorithmia-insights.socketPath" -}}
{{- printf "%s/%s" (include "algorithmia-insights.socketDir" .) .Values.dogstatsd.uds.socketName -}}
{{- end -}}

{{/* Derived numbers --------------------------------------------------------------------------- */}}

{{/* The health endpoint's port: init_config.health_port (required, not 0: the probes need it). */}}
{{- define "algorithmia-insights.healthPort" -}}
{{- $init := default dict .Values.config.init_config -}}
{{- $port := int (default 0 $init.health_port) -}}
{{- if or (lt $port 1) (gt $port 65535) -}}
{{- fail "config.init_config.health_port must be a port from 1 to 65535: the liveness and readiness probes use it" -}}
{{- end -}}
{{- $port -}}
{{- end -}}

{{/* init_config.shutdown_timeout_seconds (schema default 25), rounded up. */}}
{{- define "algorithmia-insights.shutdownTimeout" -}}
{{- $init := default dict .Values.config.init_config -}}
{{- $t := 25 -}}
{{- if hasKey $init "shutdown_timeout_seconds" -}}{{- $t = $init.shutdown_timeout_seconds -}}{{- end -}}
{{- ceil $t | int -}}
{{- end -}}

{{/* terminationGracePeriodSeconds: longer than the forwarder's own shutdown timeout. */}}
{{- define "algorithmia-insights.terminationGrace" -}}
{{- $extra := int .Values.terminationGraceExtraSeconds -}}
{{- if lt $extra 5 -}}
{{- fail "terminationGraceExtraSeconds must be at least 5: the process needs a moment to exit after its shutdown timeout" -}}
{{- end -}}
{{- add (include "algorithmia-insights.shutdownTimeout" . | int) $extra -}}
{{- end -}}

{{/* KEDA's maxReplicaCount: keda.maxReplicaCount, else keda.partitions; never above partitions. */}}
{{- define "algorithmia-insights.kedaMax" -}}
{{- $partitions := int .Values.keda.partitions -}}
{{- if lt $partitions 1 -}}
{{- fail "keda.partitions must be set to the number of partitions of the Insights topic when keda.enabled is true" -}}
{{- end -}}
{{- $max := int (default $partitions .Values.keda.maxReplicaCount) -}}
{{- if gt $max $partitions -}}
{{- fail (printf "keda.maxReplicaCount (%d) is higher than keda.partitions (%d): pods beyond the topic's partitions would get no partition" $max $partitions) -}}
{{- end -}}
{{- $min := int .Values.keda.minReplicaCount -}}
{{- if gt $min $max -}}
{{- fail (printf "keda.minReplicaCount (%d) is higher than the maxReplicaCount (%d)" $min $max) -}}
{{- end -}}
{{- $max -}}
{{- end -}}

{{/* Checks of combinations that the chart cannot run -------------------------------------- */}}

{{- define "algorithmia-insights.validate" -}}
{{- if not (has .Values.dogstatsd.mode (list "udp" "uds")) -}}
{{- fail (printf "dogstatsd.mode must be udp or uds (got %v)" .Values.dogstatsd.mode) -}}
{{- end -}}
{{- if not (has .Values.kafkaAuth.sasl.mountAs (list "file" "env")) -}}
{{- fail (printf "kafkaAuth.sasl.mountAs must be file or env (got %v)" .Values.kafkaAuth.sasl.mountAs) -}}
{{- end -}}
{{- if .Values.persistence.enabled -}}
{{- if .Values.keda.enabled -}}
{{- fail "persistence.enabled needs a single pod: it cannot be combined with keda.enabled (use the default emptyDir for the drift state)" -}}
{{- end -}}
{{- if ne (int .Values.replicas) 1 -}}
{{- fail (printf "persistence.enabled needs replicas: 1 (got %v): a ReadWriteOnce volume belongs to one pod" .Values.replicas) -}}
{{- end -}}
{{- end -}}
{{- $init := default dict .Values.config.init_config -}}
{{- if and (hasKey $init "health_host") (not (has $init.health_host (list "0.0.0.0" "::"))) -}}
{{- fail "config.init_config.health_host: leave it out (the chart sets 0.0.0.0 so that the kubelet can reach the probes)" -}}
{{- end -}}
{{- if not .Values.config.instances -}}
{{- fail "config.instances must list at least one instance (kafka_connect_str and topic)" -}}
{{- end -}}
{{- end -}}

{{/* conf.yaml --------------------------------------------------------------------------------
The user's config.init_config and config.instances, plus: health_host 0.0.0.0, the paths of the
mounted Secrets (sasl.password_file or password_env, tls.ca_file) and, in every instance that has
none, drift.state_file in the state volume. Fails on a password written in values. */}}
{{- define "algorithmia-insights.conf" -}}
{{- include "algorithmia-insights.validate" . -}}
{{- $init := deepCopy (default dict .Values.config.init_config) -}}
{{- $_ := set $init "health_host" "0.0.0.0" -}}
{{- $_ := set $init "health_port" (include "algorithmia-insights.healthPort" . | int) -}}
{{- $auth := .Values.kafkaAuth -}}
{{- $instances := list -}}
{{- range $i, $src := .Values.config.instances -}}
{{- $inst := deepCopy $src -}}
{{- if not $inst.kafka_connect_str -}}
{{- fail (printf "config.instances[%d].kafka_connect_str is required" $i) -}}
{{- end -}}
{{- if not $inst.topic -}}
{{- fail (printf "config.instances[%d].topic is required" $i) -}}
{{- end -}}
{{- if hasKey $inst "sasl" -}}
{{- $sasl := default dict $inst.sasl -}}
{{- if hasKey $sasl "password" -}}
{{- fail (printf "config.instances[%d].sasl.password: never write the password in values; put it in a Secret and set kafkaAuth.sasl.existingSecret" $i) -}}
{{- end -}}
{{- if not (or (hasKey $sasl "password_env") (hasKey $sasl "password_file")) -}}
{{- if not $auth.sasl.existingSecret -}}
{{- fail (printf "config.instances[%d].sasl has no password: set kafkaAuth.sasl.existingSecret (the Secret holding it), or give password_env/password_file with extraEnv/extraVolumes" $i) -}}
{{- end -}}
{{- if eq $auth.sasl.mountAs "env" -}}
{{- $_ := set $sasl "password_env" (include "algorithmia-insights.saslPasswordEnv" $) -}}
{{- else -}}
{{- $_ := set $sasl "password_file" (printf "%s/password" (include "algorithmia-insights.saslDir" $)) -}}
{{- end -}}
{{- end -}}
{{- $_ := set $inst "sasl" $sasl -}}
{{- end -}}
{{- if hasKey $inst "tls" -}}
{{- if hasKey (default dict $inst.tls) "key_passphrase" -}}
{{- fail (printf "config.instances[%d].tls.key_passphrase: never write the passphrase in values; use key_passphrase_file with extraVolumes or key_passphrase_env with extraEnv" $i) -}}
{{- end -}}
{{- end -}}
{{- if and $auth.tls.existingSecret (has (default "PLAINTEXT" $inst.security_protocol) (list "SSL" "SASL_SSL")) -}}
{{- $tls := default dict $inst.tls -}}
{{- if not (hasKey $tls "ca_file") -}}
{{- $_ := set $tls "ca_file" (printf "%s/ca.pem" (include "algorithmia-insights.tlsDir" $)) -}}
{{- end -}}
{{- $_ := set $inst "tls" $tls -}}
{{- end -}}
{{- /* Every instance keeps its model-monitoring state in the state volume (drift is on by
default, so the volume is otherwise mounted for nothing); a state_file of the user's wins. */ -}}
{{- $drift := default dict $inst.drift -}}
{{- if not $drift.state_file -}}
{{- $_ := set $drift "state_file" (printf "%s/drift-%d.json" (trimSuffix "/" $.Values.state.mountPath) $i) -}}
{{- end -}}
{{- $_ := set $inst "drift" $drift -}}
{{- $instances = append $instances $inst -}}
{{- end -}}
{{- toYaml (dict "init_config" $init "instances" $instances) -}}
{{- end -}}

{{/* Whether any instance uses SASL (for KEDA's TriggerAuthentication and the username variable). */}}
{{- define "algorithmia-insights.saslUsername" -}}
{{- $names := list -}}
{{- range .Values.config.instances -}}
{{- if and (hasKey . "sasl") .sasl -}}
{{- $names = append $names (default "" .sasl.username) -}}
{{- end -}}
{{- end -}}
{{- $names = uniq $names -}}
{{- if gt (len $names) 1 -}}
{{- fail "keda: the instances use different SASL user names, but KEDA's TriggerAuthentication reads one (kafkaAuth.sasl); use one user for all instances, or set kafkaAuth.sasl.usernameKey" -}}
{{- end -}}
{{- if $names -}}{{- first $names -}}{{- end -}}
{{- end -}}

{{/* KEDA's sasl mode for a config mechanism. */}}
{{- define "algorithmia-insights.kedaSasl" -}}
{{- $m := . | upper -}}
{{- if eq $m "PLAIN" -}}plaintext
{{- else if eq $m "SCRAM-SHA-256" -}}scram_sha256
{{- else if eq $m "SCRAM-SHA-512" -}}scram_sha512
{{- else -}}{{- fail (printf "keda: unsupported SASL mechanism %v" .) -}}
{{- end -}}
{{- end -}}
