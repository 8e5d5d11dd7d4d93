public enum PACIOPlaceholder {}
