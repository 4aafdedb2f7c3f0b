import Configuration
import Foundation
import SystemPackage

/// Where settings come from: the process's environment first, then the `.env`-style file that `ENV_FILE` names
/// (default `.env` in the working directory, as the design document's deployments keep one; a missing file is no
/// error).
enum ConfigurationSources {
    /// A reader of the environment and then the file.
    static func reader(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws
        -> ConfigReader
    {
        let variables = EnvironmentVariablesProvider(environmentVariables: environment, secretsSpecifier: secrets)
        let path = try Settings.environmentFile.read(from: ConfigReader(provider: variables))
        do {
            let file = try await EnvironmentVariablesProvider(
                environmentFilePath: FilePath(path),
                allowMissing: true,
                secretsSpecifier: secrets
            )
            return ConfigReader(providers: [variables, file])
        } catch {
            throw ConfigurationError(description: "ENV_FILE '\(path)' cannot be read")
        }
    }

    /// Values the reader redacts wherever it describes them.
    private static let secrets = SecretsSpecifier<String, String>.specific(
        Set(Settings.all.filter(\.isSecret).flatMap(\.names))
    )
}
