using LiveInsight.Core.Sites;
using LiveInsight.Core.Storage;
using LiveInsight.Core.Tests.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LiveInsight.Core.Tests.Sites;

[Collection(nameof(DynaliteCollection))]
public sealed class SiteRepositoryTests(DynaliteFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    private static async Task<SiteRepository> NewRepositoryAsync(Amazon.DynamoDBv2.IAmazonDynamoDB dynamo) =>
        (await NewTableAsync(dynamo)).Repository;

    private static async Task<(SiteRepository Repository, string Table)> NewTableAsync(Amazon.DynamoDBv2.IAmazonDynamoDB dynamo)
    {
        var options = Options.Create(new StorageOptions { TablePrefix = $"s{Guid.NewGuid():N}"[..12] + "-" });
        await new SchemaBootstrapper(dynamo, options, TimeProvider.System, NullLogger<SchemaBootstrapper>.Instance).EnsureAsync(CancellationToken.None);
        return (new SiteRepository(dynamo, options), options.Value.TableName(Tables.Sites));
    }

    private static Site NewSite() =>
        new(SiteKeys.NewSiteId(), "Shop", ["example.com"], SiteKeys.NewPublicKey(), SiteKeys.HashSecret(SiteKeys.NewSecretKey()), "UTC", true, T0);

    [Fact]
    public async Task The_subdomain_and_null_origin_settings_and_retired_keys_are_stored_and_read_back()
    {
        using var dynamo = fixture.CreateClient();
        var repository = await NewRepositoryAsync(dynamo);
        var retired = new RetiredKey(SiteKeys.NewPublicKey(), SiteKeys.HashSecret(SiteKeys.NewSecretKey()), T0.AddDays(1));
        var site = NewSite() with { AllowSubdomains = true, AllowNullOrigin = true, RetiredKeys = [retired] };

        await repository.CreateAsync(site, CancellationToken.None);
        var read = await repository.FindByIdAsync(site.SiteId, CancellationToken.None);

        Assert.NotNull(read);
        Assert.True(read.AllowSubdomains);
        Assert.True(read.AllowNullOrigin);
        Assert.Equal([retired], read.RetiredKeys);
    }

    [Fact]
    public async Task Two_changes_from_the_same_read_cannot_undo_one_another()
    {
        using var dynamo = fixture.CreateClient();
        var repository = await NewRepositoryAsync(dynamo);
        var site = NewSite();
        await repository.CreateAsync(site, CancellationToken.None);
        var readBySettings = (await repository.FindByIdAsync(site.SiteId, CancellationToken.None))!;
        var readByRotation = (await repository.FindByIdAsync(site.SiteId, CancellationToken.None))!;

        var rotated = await repository.UpdateAsync(readByRotation with { PublicKey = SiteKeys.NewPublicKey() }, CancellationToken.None);
        var renamed = await repository.UpdateAsync(readBySettings with { Name = "Renamed" }, CancellationToken.None);
        var stored = (await repository.FindByIdAsync(site.SiteId, CancellationToken.None))!;

        Assert.Equal((SiteUpdate.Updated, SiteUpdate.Conflict), (rotated, renamed));
        Assert.Equal(("Shop", 1L), (stored.Name, stored.Version));
        Assert.NotEqual(site.PublicKey, stored.PublicKey);
        Assert.Equal(SiteUpdate.Updated, await repository.UpdateAsync(stored with { Name = "Renamed" }, CancellationToken.None));
        Assert.Equal(SiteUpdate.NotFound, await repository.UpdateAsync(NewSite(), CancellationToken.None));
    }

    [Fact]
    public async Task A_site_stored_before_these_settings_existed_reads_as_no_subdomains_no_null_origin_and_no_retired_keys()
    {
        using var dynamo = fixture.CreateClient();
        var (repository, table) = await NewTableAsync(dynamo);
        var site = NewSite();
        await repository.CreateAsync(site, CancellationToken.None);
        await dynamo.UpdateItemAsync(new Amazon.DynamoDBv2.Model.UpdateItemRequest
        {
            TableName = table,
            Key = new() { ["site_id"] = new() { S = site.SiteId } },
            UpdateExpression = "REMOVE allow_subdomains, allow_null_origin, retired_keys, version",
        });

        var read = await repository.FindByIdAsync(site.SiteId, CancellationToken.None);

        Assert.False(read!.AllowSubdomains);
        Assert.False(read.AllowNullOrigin);
        Assert.Empty(read.RetiredKeys);
        Assert.Equal(0, read.Version);
        Assert.Equal(SiteUpdate.Updated, await repository.UpdateAsync(read with { Name = "Still updatable" }, CancellationToken.None));
    }

    [Fact]
    public async Task A_site_stored_before_compatibility_accepts_plausible_and_keeps_a_derived_umami_id_that_its_next_change_stores()
    {
        using var dynamo = fixture.CreateClient();
        var (repository, table) = await NewTableAsync(dynamo);
        var site = NewSite() with { UmamiWebsiteId = SiteKeys.NewUmamiWebsiteId(), AcceptPlausible = false };
        await repository.CreateAsync(site, CancellationToken.None);
        var stored = await repository.FindByIdAsync(site.SiteId, CancellationToken.None);
        await dynamo.UpdateItemAsync(new Amazon.DynamoDBv2.Model.UpdateItemRequest
        {
            TableName = table,
            Key = new() { ["site_id"] = new() { S = site.SiteId } },
            UpdateExpression = "REMOVE accept_plausible, umami_website_id",
        });

        var old = (await repository.FindByIdAsync(site.SiteId, CancellationToken.None))!;
        await repository.UpdateAsync(old with { Name = "Changed" }, CancellationToken.None);
        var item = (await dynamo.GetItemAsync(table, new() { ["site_id"] = new() { S = site.SiteId } })).Item;

        Assert.Equal((site.UmamiWebsiteId, false), (stored!.UmamiWebsiteId, stored.AcceptPlausible));
        Assert.True(old.AcceptPlausible);
        Assert.Equal(SiteKeys.DerivedUmamiWebsiteId(site.SiteId), old.UmamiWebsiteId);
        Assert.NotEqual(site.UmamiWebsiteId, old.UmamiWebsiteId);
        Assert.Equal(old.UmamiWebsiteId, item["umami_website_id"].S);
    }

    [Fact]
    public async Task The_identify_setting_and_secret_are_stored_and_a_site_without_them_reads_as_off_with_no_secret()
    {
        using var dynamo = fixture.CreateClient();
        var (repository, table) = await NewTableAsync(dynamo);
        var secret = Identify.NewSecret();
        var site = NewSite() with { IdentifyEnabled = true, IdentifySecret = secret };
        var older = NewSite();

        await repository.CreateAsync(site, CancellationToken.None);
        await repository.CreateAsync(older, CancellationToken.None);
        var read = (await repository.FindByIdAsync(site.SiteId, CancellationToken.None))!;
        var readOlder = (await repository.FindByIdAsync(older.SiteId, CancellationToken.None))!;
        var item = (await dynamo.GetItemAsync(table, new() { ["site_id"] = new() { S = site.SiteId } })).Item;

        Assert.True(read.IdentifyEnabled);
        Assert.Equal(secret, read.IdentifySecret);
        Assert.Equal(secret, item["identify_secret"].B.ToArray());
        Assert.False(readOlder.IdentifyEnabled);
        Assert.Null(readOlder.IdentifySecret);
    }

    [Fact]
    public async Task Deleting_retired_keys_ends_their_lookups_and_leaves_the_current_keys()
    {
        using var dynamo = fixture.CreateClient();
        var repository = await NewRepositoryAsync(dynamo);
        var secret = SiteKeys.NewSecretKey();
        var old = NewSite() with { SecretKeyHash = SiteKeys.HashSecret(secret) };
        var current = old with { PublicKey = SiteKeys.NewPublicKey(), SecretKeyHash = SiteKeys.HashSecret(SiteKeys.NewSecretKey()) };
        await repository.CreateAsync(current, CancellationToken.None);
        await repository.RetireKeysAsync(old, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None);
        Assert.NotNull(await repository.FindByPublicKeyAsync(old.PublicKey, CancellationToken.None));
        Assert.NotNull(await repository.FindBySecretKeyAsync(secret, CancellationToken.None));

        await repository.DeleteRetiredKeysAsync([new RetiredKey(old.PublicKey, old.SecretKeyHash, DateTimeOffset.UtcNow.AddHours(1))], CancellationToken.None);

        Assert.Null(await repository.FindByPublicKeyAsync(old.PublicKey, CancellationToken.None));
        Assert.Null(await repository.FindBySecretKeyAsync(secret, CancellationToken.None));
        Assert.Equal(current.SiteId, (await repository.FindByPublicKeyAsync(current.PublicKey, CancellationToken.None))?.SiteId);
    }
}
