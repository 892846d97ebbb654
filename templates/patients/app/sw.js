{% load static %}import { start } from "{% static 'js/worker.js' %}";

// Release {{ version }}.
start(self, { ...JSON.parse("{{ config_json|escapejs }}"), version: "{{ version }}" });
