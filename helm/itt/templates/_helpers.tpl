{{/* Names and labels, as `helm create` makes them. */}}
{{- define "itt.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "itt.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "itt.selectorLabels" -}}
app.kubernetes.io/name: {{ include "itt.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "itt.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "itt.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "itt.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "itt.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image's contract: its working directory, where the app reads config/application.properties. */}}
{{- define "itt.workDir" -}}/deployments{{- end }}
{{/* Where the token and TLS files are mounted (one projected volume). */}}
{{- define "itt.secretsDir" -}}/var/run/secrets/itt{{- end }}
{{- define "itt.httpPort" -}}8080{{- end }}

{{/* A tunnel's end, as the app decides it (docs/CONFIGURATION.md §1): listen or tunnel make a server end. */}}
{{- define "itt.isServer" -}}
{{- if or (hasKey . "listen") (hasKey . "tunnel") }}true{{- end }}
{{- end }}

{{/*
The port to publish of a listen or tunnel address: host:port, [v6]:port, tcp:...; none for unix:/path, nor for a
loopback address, which nothing outside the pod reaches.
*/}}
{{- define "itt.port" -}}
{{- $a := toString (default "" .) | trim | trimPrefix "tcp:" }}
{{- if and $a (not (hasPrefix "unix:" $a)) (not (regexMatch "^(127\\.|localhost:|\\[::1\\]:)" $a)) }}
{{- $p := regexFind "[0-9]+$" $a }}
{{- if or (not $p) (eq (int $p) 0) }}
{{- fail (printf "address %q: a port from 1 to 65535 is needed to publish it" $a) }}
{{- end }}
{{- $p }}
{{- end }}
{{- end }}

{{/* The Secret the token comes from. */}}
{{- define "itt.tokenSecret" -}}
{{- default (printf "%s-token" (include "itt.fullname" .)) .Values.token.existingSecret }}
{{- end }}

{{/* "true" when a tunnel takes the release's token: it sets no token-file and is not legacy (no authentication). */}}
{{- define "itt.takesToken" -}}
{{- if not (or (hasKey . "token-file") (eq (toString (default "native" (index . "protocol"))) "legacy")) }}true{{- end }}
{{- end }}

{{- define "itt.usesToken" -}}
{{- range $name, $t := .Values.tunnels }}{{ include "itt.takesToken" $t }}{{- end }}
{{- end }}

{{- define "itt.hasServer" -}}
{{- range $name, $t := .Values.tunnels }}{{ include "itt.isServer" $t }}{{- end }}
{{- end }}

{{/* Whether a tunnel sets any key that starts with the prefix. */}}
{{- define "itt.setsPrefix" -}}
{{- range $key, $v := .tunnel }}{{ if hasPrefix $.prefix $key }}true{{ end }}{{- end }}
{{- end }}

{{/*
config/application.properties: every tunnel's keys as given, then the file keys the chart adds from its Secrets.
Numbers are written as integers (YAML gives floats, which Go would print as 1e+06).
*/}}
{{- define "itt.properties" -}}
{{- $secrets := include "itt.secretsDir" . }}
{{- range $name, $t := .Values.tunnels }}
{{- $p := printf "itt.tunnels.%s." $name }}
{{- $server := include "itt.isServer" $t }}

# tunnel {{ $name }}: {{ if $server }}server end{{ else }}agent{{ end }}
{{- range $key, $v := $t }}
{{ $p }}{{ $key }}={{ if kindIs "float64" $v }}{{ int64 $v }}{{ else }}{{ toString $v | replace "\\" "\\\\" }}{{ end }}
{{- end }}
{{- if include "itt.takesToken" $t }}
{{ $p }}token-file={{ $secrets }}/token
{{- end }}
{{- if and $.Values.tls.existingSecret (not (include "itt.setsPrefix" (dict "tunnel" $t "prefix" "tls."))) }}
{{- if or $server $.Values.tls.mutual }}
{{ $p }}tls.cert={{ $secrets }}/tls/tls.crt
{{ $p }}tls.key={{ $secrets }}/tls/tls.key
{{- end }}
{{- if not $server }}
{{ $p }}tls.trust={{ $secrets }}/tls/ca.crt
{{- else if $.Values.tls.mutual }}
{{ $p }}tls.client-ca={{ $secrets }}/tls/ca.crt
{{- end }}
{{- end }}
{{- if and $server $.Values.listenTls.existingSecret (not (hasPrefix "unix:" (toString (default "" $t.listen)))) (not (include "itt.setsPrefix" (dict "tunnel" $t "prefix" "listen-tls."))) }}
{{ $p }}listen-tls.cert={{ $secrets }}/listen-tls/tls.crt
{{ $p }}listen-tls.key={{ $secrets }}/listen-tls/tls.key
{{- if $.Values.listenTls.clientCa }}
{{ $p }}listen-tls.client-ca={{ $secrets }}/listen-tls/ca.crt
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The Secret files the properties name, as projected volume sources: only those, so that a Secret need not hold a
key nothing reads (an agent's TLS Secret may hold only ca.crt).
*/}}
{{- define "itt.secretSources" -}}
{{- $props := include "itt.properties" . }}
{{- $dir := include "itt.secretsDir" . }}
{{- if contains (printf "=%s/token\n" $dir) (printf "%s\n" $props) }}
- secret:
    name: {{ include "itt.tokenSecret" . }}
    items: [{key: token, path: token}]
{{- end }}
{{- range $sub, $secret := dict "tls" .Values.tls.existingSecret "listen-tls" .Values.listenTls.existingSecret }}
{{- $items := list }}
{{- range list "tls.crt" "tls.key" "ca.crt" }}
{{- if contains (printf "=%s/%s/%s\n" $dir $sub .) (printf "%s\n" $props) }}
{{- $items = append $items (dict "key" . "path" (printf "%s/%s" $sub .)) }}
{{- end }}
{{- end }}
{{- if $items }}
- secret:
    name: {{ $secret }}
    items: {{ toJson $items }}
{{- end }}
{{- end }}
{{- end }}
